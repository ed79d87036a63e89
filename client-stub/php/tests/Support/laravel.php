<?php

declare(strict_types=1);

// Minimal stand-ins for the parts of Laravel the README's examples use (no Laravel here, no
// Packagist): a container with singleton/instance/make, ServiceProvider, Controller, Request,
// JsonResponse, and the config(), env() and response() helpers. Each is defined only if Laravel's
// own is not loaded, and does what Laravel's does for these calls, nothing more.

namespace Illuminate\Foundation {
    if (!class_exists(Application::class)) {
        class Application
        {
            /** @var array<string, \Closure> */
            private array $singletons = [];
            /** @var array<string, object> */
            private array $instances = [];

            public function singleton(string $abstract, \Closure $factory): void
            {
                $this->singletons[$abstract] = $factory;
                unset($this->instances[$abstract]);
            }

            public function instance(string $abstract, object $instance): object
            {
                $this->instances[$abstract] = $instance;
                return $instance;
            }

            public function make(string $abstract): object
            {
                if (isset($this->instances[$abstract])) {
                    return $this->instances[$abstract];
                }
                if (!isset($this->singletons[$abstract])) {
                    throw new \LogicException("Target [$abstract] is not bound (stand-in container)");
                }
                return $this->instances[$abstract] = ($this->singletons[$abstract])($this);
            }
        }
    }
}

namespace Illuminate\Support {
    if (!class_exists(ServiceProvider::class)) {
        abstract class ServiceProvider
        {
            public function __construct(protected \Illuminate\Foundation\Application $app)
            {
            }

            public function register(): void
            {
            }
        }
    }
}

namespace Illuminate\Routing {
    if (!class_exists(Controller::class)) {
        abstract class Controller
        {
        }
    }
}

namespace App\Http\Controllers {
    if (!class_exists(Controller::class)) {
        /** What a Laravel application's own app/Http/Controllers/Controller.php declares. */
        abstract class Controller extends \Illuminate\Routing\Controller
        {
        }
    }
}

namespace Illuminate\Http {
    if (!class_exists(Request::class)) {
        class Request
        {
            public function __construct(private readonly array $input = [], private readonly ?object $user = null)
            {
            }

            public function input(string $key, mixed $default = null): mixed
            {
                return $this->input[$key] ?? $default;
            }

            public function user(): ?object
            {
                return $this->user;
            }
        }
    }
    if (!class_exists(JsonResponse::class)) {
        class JsonResponse
        {
            private string $json;

            public function __construct(mixed $data = [], private readonly int $status = 200)
            {
                $this->json = json_encode($data, JSON_THROW_ON_ERROR);
            }

            public function getData(bool $assoc = false): mixed
            {
                return json_decode($this->json, $assoc);
            }

            public function getStatusCode(): int
            {
                return $this->status;
            }
        }
    }
}

namespace {
    if (!function_exists('config')) {
        /** The stand-in's configuration: $GLOBALS['laravel_stand_in_config'], read by dotted key. */
        function config(string $key, mixed $default = null): mixed
        {
            $value = $GLOBALS['laravel_stand_in_config'] ?? [];
            foreach (explode('.', $key) as $part) {
                if (!is_array($value) || !array_key_exists($part, $value)) {
                    return $default;
                }
                $value = $value[$part];
            }
            return $value;
        }
    }
    if (!function_exists('env')) {
        function env(string $key, mixed $default = null): mixed
        {
            $value = getenv($key);
            return $value === false ? $default : $value;
        }
    }
    if (!function_exists('response')) {
        function response(): object
        {
            return new class () {
                public function json(mixed $data = [], int $status = 200): \Illuminate\Http\JsonResponse
                {
                    return new \Illuminate\Http\JsonResponse($data, $status);
                }
            };
        }
    }
}
