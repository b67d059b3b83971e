package dev.abortguard.server;

/** Placeholder. */
final class Placeholder {
  private Placeholder() {}
}
