package dev.abortguard.server.containers;

/** The seed's scenarios inside embedded Jetty. */
class JettyClientAbortTest extends ContainerContract {
    @Override
    protected EmbeddedServer.Factory factory() {
        return JettyServer::start;
    }

    @Override
    protected boolean logsAnApplicationFailureAfterTheClientLeft() {
        return false;
    }
}
