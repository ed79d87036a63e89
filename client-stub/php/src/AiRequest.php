<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * AI work a caller intends to do, in the words of aigov's catalog: for which workspace (and
 * tenant), which use case, which provider class, which kinds of data from which source family, on
 * whose behalf. There is no place for a prompt, a document or model output. Immutable and reusable:
 * each evaluation of a request without an explicit requestId gets a fresh one.
 *
 * The constructor checks what the type system cannot (at least one classification, a UUID request
 * id) and throws \InvalidArgumentException naming the field. The ids' format
 * ([A-Za-z0-9._:-]{1,128}) is the server's to judge: a malformed one is a GOVERNANCE_REJECTED_REQUEST
 * block naming the field.
 */
final class AiRequest
{
    /** The most classifications a request may declare (the server's limit). */
    public const MAX_CLASSIFICATIONS = 16;

    /** @var list<DataClassification> without repeats, in the order first declared */
    public readonly array $dataClassifications;

    /**
     * @param list<DataClassification> $dataClassifications every kind of data that would be sent; at least one
     * @param ?string $requestId a UUID, only for callers that carry their own idempotency key; null: a fresh one per evaluation
     */
    public function __construct(
        public readonly string $workspaceId,
        public readonly string $useCase,
        public readonly ProviderClass $providerClass,
        array $dataClassifications,
        public readonly string $sourceFamily,
        public readonly Actor $actor,
        public readonly ?string $tenantId = null,
        public readonly ?string $callerSurface = null,
        public readonly ?string $requestId = null,
    ) {
        if ($dataClassifications === []) {
            throw new \InvalidArgumentException('dataClassifications: declare at least one DataClassification');
        }
        if (count($dataClassifications) > self::MAX_CLASSIFICATIONS) {
            throw new \InvalidArgumentException('dataClassifications: declares ' . count($dataClassifications)
                . ' values; at most ' . self::MAX_CLASSIFICATIONS . ' are allowed');
        }
        $declared = [];
        foreach (array_values($dataClassifications) as $i => $classification) {
            if (!$classification instanceof DataClassification) {
                throw new \InvalidArgumentException("dataClassifications[$i]: must be a " . DataClassification::class
                    . ', got ' . get_debug_type($classification));
            }
            if (!in_array($classification, $declared, true)) {
                $declared[] = $classification;
            }
        }
        $this->dataClassifications = $declared;
        if ($requestId !== null && !Uuid::isValid($requestId)) {
            throw new \InvalidArgumentException("requestId: must be a UUID such as 3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44 (got '"
                . substr($requestId, 0, 64) . "')");
        }
    }
}
