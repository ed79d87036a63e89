/**
 * What anyone needs to check aigov's records (docs/evidence.md): {@link dev.aigov.evidence.EventEncoding},
 * {@link dev.aigov.evidence.Merkle}, {@link dev.aigov.evidence.Checkpoint} and its signed note
 * {@link dev.aigov.evidence.SignedCheckpoint}, {@link dev.aigov.evidence.SigningKeys}, and the
 * {@link dev.aigov.evidence.ReceiptVerifier} a model gateway runs before it calls a model.
 */
package dev.aigov.evidence;
