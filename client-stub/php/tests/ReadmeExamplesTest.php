<?php

declare(strict_types=1);

namespace Aigov\Client\Tests;

use Aigov\Client\AiGovernance;
use Aigov\Client\AiGovernanceClient;
use Aigov\Client\PolicyMode;
use Aigov\Client\Testing\InMemoryAiGovernance;
use Aigov\Client\Tests\Support\RecordingLogger;
use App\Ai\LocalModel;
use App\Http\Controllers\DraftController;
use App\Providers\AigovServiceProvider;
use Illuminate\Foundation\Application;
use Illuminate\Http\Request;
use PHPUnit\Framework\TestCase;
use Psr\Log\LoggerInterface;

/**
 * The README's examples are the files in examples/, verbatim, and they work: the provider binds one
 * client from config/services.php, the controller guards the model with the double in the container.
 * (examples/DraftControllerTest.php, the README's test, runs as part of the suite.)
 */
final class ReadmeExamplesTest extends TestCase
{
    private static function readme(): string
    {
        return (string) file_get_contents(dirname(__DIR__) . '/README.md');
    }

    public function testEveryPhpBlockOfTheReadmeIsAnExampleFileVerbatim(): void
    {
        preg_match_all('/^(<!-- example: (\S+) -->\n)?```php\n(.*?)^```$/ms', self::readme(), $blocks, PREG_SET_ORDER);
        self::assertNotEmpty($blocks);
        $shown = [];
        foreach ($blocks as [, , $file, $code]) {
            self::assertNotSame('', $file, "a php block of the README names no example file:\n$code");
            self::assertSame((string) file_get_contents(dirname(__DIR__) . '/' . $file), $code, "the README's $file");
            $shown[] = $file;
        }
        $files = array_map(fn (string $f) => 'examples/' . basename($f), glob(dirname(__DIR__) . '/examples/*.php'));
        self::assertEqualsCanonicalizing($files, $shown, 'every example file is shown in the README');
    }

    public function testTheReadmesConstructorSketchNamesTheConstructorsParametersInOrder(): void
    {
        self::assertSame(1, preg_match('/^new AiGovernanceClient\(\n(.*?)^\);$/ms', self::readme(), $sketch));
        preg_match_all('/^\s+(\w+):/m', $sketch[1], $names);
        $parameters = array_map(fn (\ReflectionParameter $p) => $p->getName(),
            (new \ReflectionMethod(AiGovernanceClient::class, '__construct'))->getParameters());
        self::assertSame($parameters, $names[1]);
    }

    private function application(array $environment): Application
    {
        foreach ($environment as $name => $value) {
            putenv("$name=$value");
        }
        try {
            $GLOBALS['laravel_stand_in_config'] = ['services' => require dirname(__DIR__) . '/examples/services.php'];
        } finally {
            foreach (array_keys($environment) as $name) {
                putenv($name);
            }
        }
        $app = new Application();
        $app->instance(LoggerInterface::class, new RecordingLogger());
        (new AigovServiceProvider($app))->register();
        return $app;
    }

    public function testTheProviderBindsOneClientFromTheConfiguration(): void
    {
        $app = $this->application(['AIGOV_URL' => 'http://127.0.0.1:1', 'AIGOV_TOKEN' => 'aigov_from-env', 'AIGOV_DEADLINE_MS' => '250']);

        $governance = $app->make(AiGovernance::class);

        self::assertInstanceOf(AiGovernanceClient::class, $governance);
        self::assertSame($governance, $app->make(AiGovernance::class), 'a singleton');
        self::assertSame(250, $GLOBALS['laravel_stand_in_config']['services']['aigov']['deadline_ms']);
        // Nothing listens on port 1: the configured client fails closed, within its configured deadline.
        $start = hrtime(true);
        $decision = $governance->evaluate(Support\Requests::approved('ws-1'));
        self::assertFalse($decision->allowed());
        self::assertSame('UNAVAILABLE', $decision->failure->code);
        self::assertLessThan(250 + 250, (hrtime(true) - $start) / 1e6);
    }

    public function testWithoutATokenTheProviderRefusesToBuildAClient(): void
    {
        $app = $this->application(['AIGOV_URL' => 'http://127.0.0.1:1']);
        try {
            $app->make(AiGovernance::class);
            self::fail('a client without a token');
        } catch (\TypeError | \InvalidArgumentException $e) {
            self::assertStringContainsString('token', $e->getMessage());
        }
    }

    public function testTheControllerDraftsOnlyWhenTheDoubleInTheContainerAllows(): void
    {
        $app = $this->application(['AIGOV_TOKEN' => 'aigov_unused']);
        $double = $app->instance(AiGovernance::class, new InMemoryAiGovernance());
        $prompts = new \ArrayObject();
        $model = new class ($prompts) implements LocalModel {
            public function __construct(private readonly \ArrayObject $prompts)
            {
            }

            public function complete(string $prompt): string
            {
                $this->prompts->append($prompt);
                return "draft for: $prompt";
            }
        };
        $controller = new DraftController($app->make(AiGovernance::class), $model);
        $request = new Request(['question' => 'Why is sync failing?'], (object) ['id' => 7]);

        $blocked = $controller->store($request, 'acme');
        self::assertSame(409, $blocked->getStatusCode());
        self::assertSame(['message' => 'AI drafting is not enabled for this workspace.'], $blocked->getData(true));
        self::assertCount(0, $prompts);

        $double->setPolicyMode('acme', PolicyMode::PRIVATE_ONLY);
        $allowed = $controller->store($request, 'acme');
        self::assertSame(200, $allowed->getStatusCode());
        self::assertSame(['draft' => 'draft for: Why is sync failing?'], $allowed->getData(true));
        self::assertSame(['Why is sync failing?'], $prompts->getArrayCopy());
        $asked = $double->lastDecision();
        self::assertTrue($asked->allowed());
        self::assertSame('help_center.answer_box', $double->evaluations()[1]['request']->callerSurface);
    }
}
