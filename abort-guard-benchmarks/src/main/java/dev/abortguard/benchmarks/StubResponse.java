package dev.abortguard.benchmarks;

/** Every method of {@code HttpServletResponse} answering null/0/false; {@link FakeResponse} overrides what a response needs. Generated once from the interface. */
@SuppressWarnings("deprecation")
abstract class StubResponse implements jakarta.servlet.http.HttpServletResponse {
    @Override public java.lang.String getHeader(java.lang.String a0) { return null; }
    @Override public void addCookie(jakarta.servlet.http.Cookie a0) {  }
    @Override public boolean containsHeader(java.lang.String a0) { return false; }
    @Override public java.lang.String encodeURL(java.lang.String a0) { return null; }
    @Override public java.lang.String encodeRedirectURL(java.lang.String a0) { return null; }
    @Override public void sendError(int a0) throws java.io.IOException {  }
    @Override public void sendError(int a0, java.lang.String a1) throws java.io.IOException {  }
    @Override public void sendRedirect(java.lang.String a0, int a1, boolean a2) throws java.io.IOException {  }
    @Override public void setDateHeader(java.lang.String a0, long a1) {  }
    @Override public void addDateHeader(java.lang.String a0, long a1) {  }
    @Override public void setHeader(java.lang.String a0, java.lang.String a1) {  }
    @Override public void addHeader(java.lang.String a0, java.lang.String a1) {  }
    @Override public void setIntHeader(java.lang.String a0, int a1) {  }
    @Override public void addIntHeader(java.lang.String a0, int a1) {  }
    @Override public void setStatus(int a0) {  }
    @Override public int getStatus() { return 0; }
    @Override public java.util.Collection<java.lang.String> getHeaders(java.lang.String a0) { return null; }
    @Override public java.util.Collection<java.lang.String> getHeaderNames() { return null; }
    @Override public void reset() {  }
    @Override public void flushBuffer() throws java.io.IOException {  }
    @Override public java.util.Locale getLocale() { return null; }
    @Override public void setLocale(java.util.Locale a0) {  }
    @Override public java.lang.String getCharacterEncoding() { return null; }
    @Override public java.lang.String getContentType() { return null; }
    @Override public jakarta.servlet.ServletOutputStream getOutputStream() throws java.io.IOException { return null; }
    @Override public java.io.PrintWriter getWriter() throws java.io.IOException { return null; }
    @Override public void setCharacterEncoding(java.lang.String a0) {  }
    @Override public void setContentLength(int a0) {  }
    @Override public void setContentLengthLong(long a0) {  }
    @Override public void setContentType(java.lang.String a0) {  }
    @Override public void setBufferSize(int a0) {  }
    @Override public int getBufferSize() { return 0; }
    @Override public void resetBuffer() {  }
    @Override public boolean isCommitted() { return false; }
}
