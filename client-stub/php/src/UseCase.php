<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * Catalog keys of the use cases of this version. The catalog is the server's: any other key may be
 * given as a string (one the server does not know is a recorded block, USE_CASE_NOT_APPROVED).
 */
final class UseCase
{
    /** Drafting an answer from the product's own knowledge; source family product_knowledge. */
    public const PRODUCT_KNOWLEDGE_ANSWER_DRAFT = 'product_knowledge.answer_draft';

    /** Drafting a summary of a support-diagnostics bundle; source family support_diagnostics; tenant context permitted. */
    public const SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT = 'support_diagnostics.summary_draft';

    private function __construct()
    {
    }
}
