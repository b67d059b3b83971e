package dev.abortguard.server.containers;

/** The seed's scenarios inside embedded Undertow. */
class UndertowClientAbortTest extends ContainerContract {
    @Override
    protected EmbeddedServer.Factory factory() {
        return UndertowServer::start;
    }

    @Override
    protected boolean wrappersHideTheOriginalRequestAndResponse() {
        return true;
    }

    @Override
    protected boolean hidesTheFailureOfAWriteThatCompletesTheDeclaredLength() {
        return true;
    }
}
