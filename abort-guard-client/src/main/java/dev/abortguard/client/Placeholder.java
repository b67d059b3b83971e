package dev.abortguard.client;

/** Placeholder until the client module lands. */
final class Placeholder {
  private Placeholder() {}
}
