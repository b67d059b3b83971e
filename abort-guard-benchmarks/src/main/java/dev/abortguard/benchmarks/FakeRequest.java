package dev.abortguard.benchmarks;

import jakarta.servlet.DispatcherType;

import java.util.HashMap;
import java.util.Map;

/** A reusable GET request: attributes in a map that {@link #reset()} clears. No container. */
final class FakeRequest extends StubRequest {
    private final Map<String, Object> attributes = new HashMap<>();

    void recycle() {
        attributes.clear();
    }

    @Override public String getMethod() { return "GET"; }
    @Override public String getRequestURI() { return "/api/orders/42"; }
    @Override public String getServletPath() { return "/api"; }
    @Override public String getPathInfo() { return "/orders/42"; }
    @Override public String getProtocol() { return "HTTP/1.1"; }
    @Override public String getHeader(String name) { return null; }
    @Override public Object getAttribute(String name) { return attributes.get(name); }
    @Override public void setAttribute(String name, Object value) { attributes.put(name, value); }
    @Override public void removeAttribute(String name) { attributes.remove(name); }
    @Override public DispatcherType getDispatcherType() { return DispatcherType.REQUEST; }
    @Override public boolean isAsyncStarted() { return false; }
    @Override public boolean isAsyncSupported() { return true; }
}
