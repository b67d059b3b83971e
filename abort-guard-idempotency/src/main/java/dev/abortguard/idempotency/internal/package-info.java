/** Implementation details shared by the stores; not API, may change in any release. */
package dev.abortguard.idempotency.internal;
