<?php

declare(strict_types=1);

namespace Aigov\Client\Testing;

use Aigov\Client\DataClassification;
use Aigov\Client\ProviderClass;

/**
 * A catalog file (format 1, docs/catalog.md), read and judged by the rules the server applies at
 * start: an invalid file throws \InvalidArgumentException naming the file, the field and the problem
 * (json_decode gives no line numbers; the server's `catalog check` does).
 *
 * builtIn() is the copy of the server jar's built-in catalog shipped in this package
 * (resources/default-catalog.json), so that a PHP service's tests need nothing from the aigov
 * repository; this repository's build checks the copy equals the server's file.
 */
final class Catalog
{
    private const FIELDS = ['key', 'description', 'source_family', 'tenant_context_permitted', 'provider_classes',
        'data_classifications'];
    private const ID = '/^[A-Za-z0-9._:-]{1,128}$/';

    /** @param array<string, ApprovedUseCase> $useCases by key, ordered by key */
    private function __construct(public readonly string $label, private readonly array $useCases)
    {
    }

    public static function builtIn(): self
    {
        return self::load(self::builtInFile());
    }

    /** The shipped copy of the server's built-in catalog. */
    public static function builtInFile(): string
    {
        return dirname(__DIR__, 2) . '/resources/default-catalog.json';
    }

    /** @throws \InvalidArgumentException when the file cannot be read or is not a valid catalog */
    public static function load(string $file): self
    {
        $text = is_readable($file) ? file_get_contents($file) : false;
        if ($text === false) {
            throw new \InvalidArgumentException("catalog file $file: cannot be read");
        }
        try {
            $json = json_decode($text, true, 16, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new \InvalidArgumentException("catalog file $file: malformed JSON: " . $e->getMessage());
        }
        return self::fromArray($json, $file);
    }

    /** @param mixed $json the decoded file */
    public static function fromArray(mixed $json, string $file = 'catalog'): self
    {
        $fail = static fn (string $problem) => throw new \InvalidArgumentException("catalog file $file: $problem");
        if (!is_array($json) || array_is_list($json) && $json !== []) {
            $fail('must be a JSON object');
        }
        foreach (array_keys($json) as $name) {
            if (!in_array($name, ['format', 'label', '$schema', 'use_cases'], true)) {
                $fail("unknown field '$name' (one of: format, label, \$schema, use_cases)");
            }
        }
        if (($json['format'] ?? null) !== 1) {
            $fail('format: must be 1, the one format this release reads');
        }
        $label = $json['label'] ?? '';
        if (!is_string($label) || strlen($label) > 128 || (array_key_exists('label', $json) && $label === '')) {
            $fail('label: must be 1 to 128 characters');
        }
        if (!is_array($json['use_cases'] ?? null) || !array_is_list($json['use_cases'])) {
            $fail('use_cases: is required, a list of use cases');
        }
        $useCases = [];
        foreach ($json['use_cases'] as $i => $entry) {
            $at = "use_cases[$i]";
            if (!is_array($entry) || array_is_list($entry)) {
                $fail("$at: must be an object");
            }
            foreach (array_keys($entry) as $name) {
                if (!in_array($name, self::FIELDS, true)) {
                    $fail("$at: unknown field '$name' (one of: " . implode(', ', self::FIELDS) . ')');
                }
            }
            foreach (self::FIELDS as $name) {
                if (!array_key_exists($name, $entry)) {
                    $fail("$at.$name: is required");
                }
            }
            foreach (['key', 'source_family'] as $name) {
                if (!is_string($entry[$name]) || preg_match(self::ID, $entry[$name]) !== 1) {
                    $fail("$at.$name: must be 1 to 128 letters, digits and . _ : -");
                }
            }
            if (!is_string($entry['description']) || trim($entry['description']) === '') {
                $fail("$at.description: must not be blank");
            }
            if (!is_bool($entry['tenant_context_permitted'])) {
                $fail("$at.tenant_context_permitted: must be true or false");
            }
            $providerClasses = self::words($entry['provider_classes'], ProviderClass::class, "$at.provider_classes", $fail);
            $classifications = self::words($entry['data_classifications'], DataClassification::class,
                "$at.data_classifications", $fail);
            if (!in_array(ProviderClass::LOCAL_PRIVATE, $providerClasses, true)) {
                // private_only, the one mode that allows anything, permits local_private only.
                $fail("$at.provider_classes: no policy mode permits any of them, so no request could ever be allowed");
            }
            if ($classifications === []) {
                $fail("$at.data_classifications: is empty, so no request could ever be allowed");
            }
            if (isset($useCases[$entry['key']])) {
                $fail("$at.key: '{$entry['key']}' is listed twice");
            }
            $useCases[$entry['key']] = new ApprovedUseCase($entry['key'], $entry['description'], $entry['source_family'],
                $entry['tenant_context_permitted'], $providerClasses, $classifications);
        }
        ksort($useCases, SORT_STRING);
        return new self($label, $useCases);
    }

    /**
     * @template E of \BackedEnum
     * @param class-string<E> $type
     * @return list<E>
     */
    private static function words(mixed $value, string $type, string $at, callable $fail): array
    {
        if (!is_array($value) || !array_is_list($value)) {
            $fail("$at: must be a list");
        }
        $words = [];
        foreach ($value as $i => $word) {
            $parsed = is_string($word) ? $type::tryFrom($word) : null;
            if ($parsed === null || ($parsed->value === 'unrecognized')) {
                $fail("{$at}[$i]: unknown word " . json_encode($word) . ' (one of: '
                    . implode(', ', array_map(fn ($c) => $c->value, $type::cases())) . ')');
            }
            if (in_array($parsed, $words, true)) {
                $fail("{$at}[$i]: '$word' is listed twice");
            }
            $words[] = $parsed;
        }
        return $words;
    }

    public function find(string $key): ?ApprovedUseCase
    {
        return $this->useCases[$key] ?? null;
    }

    /** @return list<ApprovedUseCase> every use case, ordered by key */
    public function useCases(): array
    {
        return array_values($this->useCases);
    }
}
