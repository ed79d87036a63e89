<?php

declare(strict_types=1);

namespace Aigov\Client\Tests\Support;

/**
 * A child process for a test: `php -S` on a free loopback port with a router script (a fake aigov,
 * or a proxy), or any `php -r` listener. Started and polled until it accepts connections, never
 * slept on; stopped (SIGKILL of its own pid) when the test is done.
 */
final class PhpServer
{
    /** @var resource */
    private $process;

    private function __construct($process, public readonly int $port, private readonly string $log)
    {
        $this->process = $process;
    }

    /** `php -S 127.0.0.1:<free port> $router`, with $environment added to this process's. */
    public static function router(string $router, array $environment = []): self
    {
        $port = self::freePort();
        return self::start([PHP_BINARY, '-S', "127.0.0.1:$port", $router], $port, $environment);
    }

    /**
     * A listener that accepts every connection and never answers (a frozen server): `php -r` of a
     * loop around stream_socket_accept that keeps each connection open.
     */
    public static function frozen(): self
    {
        $port = self::freePort();
        $code = '$s = stream_socket_server("tcp://127.0.0.1:' . $port . '", $e, $m); $held = [];'
            . ' while (true) { $c = @stream_socket_accept($s, 3600); if ($c) { $held[] = $c; } }';
        return self::start([PHP_BINARY, '-r', $code], $port, []);
    }

    /** A loopback port nothing listens on (a stopped server): bound, then closed. */
    public static function closedPort(): int
    {
        return self::freePort();
    }

    private static function start(array $command, int $port, array $environment): self
    {
        $log = tempnam(sys_get_temp_dir(), 'aigov-php-server-');
        $env = array_merge(getenv(), $environment);
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']],
            $pipes, null, $env);
        if ($process === false) {
            throw new \RuntimeException('cannot start ' . implode(' ', $command));
        }
        $server = new self($process, $port, $log);
        $server->awaitListening(10.0);
        return $server;
    }

    public function url(): string
    {
        return 'http://127.0.0.1:' . $this->port;
    }

    /** What the process printed so far. */
    public function log(): string
    {
        return (string) @file_get_contents($this->log);
    }

    private function awaitListening(float $seconds): void
    {
        $giveUp = microtime(true) + $seconds;
        while (true) {
            $socket = @stream_socket_client("tcp://127.0.0.1:{$this->port}", $errno, $error, 0.2);
            if ($socket !== false) {
                fclose($socket);
                return;
            }
            $status = proc_get_status($this->process);
            if (!$status['running']) {
                throw new \RuntimeException("the test server exited with {$status['exitcode']}: " . $this->log());
            }
            if (microtime(true) > $giveUp) {
                $this->stop();
                throw new \RuntimeException("the test server did not listen on port {$this->port} within {$seconds} s: " . $this->log());
            }
            usleep(10_000); // between two polls of a condition with a deadline
        }
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            $status = proc_get_status($this->process);
            if ($status['running']) {
                posix_kill($status['pid'], SIGKILL);
            }
            proc_close($this->process);
        }
        @unlink($this->log);
    }

    public function __destruct()
    {
        $this->stop();
    }

    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($socket === false) {
            throw new \RuntimeException("no free port: $error");
        }
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
