<?php

declare(strict_types=1);

namespace Aigov\Client;

/** Where the data sent to a model comes from. Each use case accepts exactly one. */
final class SourceFamily
{
    /** The product's own knowledge: documentation and help content. */
    public const PRODUCT_KNOWLEDGE = 'product_knowledge';

    /** Support-diagnostics bundles. */
    public const SUPPORT_DIAGNOSTICS = 'support_diagnostics';

    private function __construct()
    {
    }
}
