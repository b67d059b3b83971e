package dev.abortguard.server.containers;

/** The seed's scenarios inside embedded Tomcat. */
class TomcatClientAbortTest extends ContainerContract {
    @Override
    protected EmbeddedServer.Factory factory() {
        return TomcatServer::start;
    }
}
