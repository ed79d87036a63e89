<?php

declare(strict_types=1);

// Composer's autoloader is not available (no Packagist): the same PSR-4 mapping as composer.json, by hand.
spl_autoload_register(static function (string $class): void {
    $roots = ['Aigov\\Client\\Tests\\' => __DIR__ . '/', 'Aigov\\Client\\' => dirname(__DIR__) . '/src/'];
    foreach ($roots as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
    // The README's examples (examples/), as a Laravel application would autoload them from app/.
    if (str_starts_with($class, 'App\\')) {
        $file = dirname(__DIR__) . '/examples/' . substr($class, strrpos($class, '\\') + 1) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

error_reporting(E_ALL);

require __DIR__ . '/Support/psr-log.php';
require __DIR__ . '/Support/laravel.php';
