/**
 * The implementation of {@link dev.abortguard.client.TimeoutRecoveryPolicy}. Internal, not API: not
 * exported by the module, and on the class path free to change without notice in any release.
 *
 * <p>How a covered request runs: {@link dev.abortguard.client.internal.RecoveryEngine} opens a
 * {@link dev.abortguard.client.internal.LogicalRequest} (the request's whole state) and asks it for
 * each {@link dev.abortguard.client.internal.Attempt}; the classic or async {@link
 * dev.abortguard.client.internal.RecoveryCall} sends it and returns an {@link
 * dev.abortguard.client.internal.AttemptResult} (its response screened by {@link
 * dev.abortguard.client.internal.ResponseChecks}, its failure classified from the {@link
 * dev.abortguard.client.internal.WireEvidence}); {@link
 * dev.abortguard.client.internal.RecoveryDecisions} turns result and state into a {@link
 * dev.abortguard.client.internal.Decision}, which the engine carries out (waits, resends, and
 * through {@link dev.abortguard.client.internal.ServerCallbacks} status checks and cancels) until
 * the request ends.
 */
package dev.abortguard.client.internal;
