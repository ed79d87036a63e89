<?php

declare(strict_types=1);

namespace App\Providers;

use Aigov\Client\AiGovernance;
use Aigov\Client\AiGovernanceClient;
use Illuminate\Support\ServiceProvider;
use Psr\Log\LoggerInterface;

/** Binds AiGovernance once per process (one client, one kept-alive connection), from config/services.php. */
final class AigovServiceProvider extends ServiceProvider
{
    public function register(): void
    {
        $this->app->singleton(AiGovernance::class, fn ($app) => new AiGovernanceClient(
            baseUrl: config('services.aigov.url'),
            token: config('services.aigov.token'),
            deadlineMs: config('services.aigov.deadline_ms'),
            logger: $app->make(LoggerInterface::class),
        ));
    }
}
