<?php

declare(strict_types=1);

namespace App\Ai;

/** Any client of a local model (Ollama, vLLM, llama.cpp behind your own gateway). */
interface LocalModel
{
    public function complete(string $prompt): string;
}
