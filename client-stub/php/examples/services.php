<?php

// config/services.php (an excerpt): where the provider reads aigov's settings from.
return [
    'aigov' => [
        'url' => env('AIGOV_URL', 'http://127.0.0.1:8080'), // aigov's HTTP (Connect) port
        'token' => env('AIGOV_TOKEN'), // token create --capability ai.decisions.evaluate
        'deadline_ms' => (int) env('AIGOV_DEADLINE_MS', 500),
    ],
];
