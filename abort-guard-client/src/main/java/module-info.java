/**
 * abort-guard's client side: {@link dev.abortguard.client.TimeoutRecoveryPolicy} and the types a
 * caller writes against. Only {@code dev.abortguard.client} is exported; the implementation in
 * {@code dev.abortguard.client.internal} is not API and stays encapsulated on the module path (on
 * the class path it is reachable, but may change without notice in any release).
 */
module dev.abortguard.client {
    // HttpClient 5 and HttpCore 5 are automatic modules with a stable Automatic-Module-Name;
    // javac's lint about requiring them is off for this module (see its pom).
    // Transitive: the API takes and returns HttpClient 5 and HttpCore 5 types (CloseableHttpClient,
    // HttpClientBuilder, HttpRequest, ClassicHttpResponse), so a user module needs them readable.
    requires transitive org.apache.httpcomponents.client5.httpclient5;
    requires transitive org.apache.httpcomponents.core5.httpcore5;
    // HTTP/2 (HttpClient 5's own dependency): a stream reset's error code (REFUSED_STREAM)
    requires org.apache.httpcomponents.core5.httpcore5.h2;
    requires org.slf4j;

    // Micrometer's listener lives in the module dev.abortguard.micrometer

    exports dev.abortguard.client;
}
