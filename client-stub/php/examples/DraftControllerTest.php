<?php

declare(strict_types=1);

namespace Tests\Unit;

use Aigov\Client\FailureKind;
use Aigov\Client\PolicyMode;
use Aigov\Client\Testing\ControlScope;
use Aigov\Client\Testing\InMemoryAiGovernance;
use App\Ai\LocalModel;
use App\Http\Controllers\DraftController;
use Illuminate\Http\Request;
use PHPUnit\Framework\TestCase;

final class DraftControllerTest extends TestCase
{
    private InMemoryAiGovernance $governance;
    /** @var list<string> */
    private array $prompts = [];
    private DraftController $controller;

    protected function setUp(): void
    {
        $this->governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY);
        $model = new class ($this->prompts) implements LocalModel {
            public function __construct(private array &$prompts)
            {
            }

            public function complete(string $prompt): string
            {
                $this->prompts[] = $prompt;
                return 'a draft';
            }
        };
        $this->controller = new DraftController($this->governance, $model);
    }

    private function ask(string $workspace): array
    {
        $response = $this->controller->store(new Request(['question' => 'How do I reset a tenant?'], (object) ['id' => 42]), $workspace);
        return [$response->getStatusCode(), $response->getData(true)];
    }

    public function testItDraftsWhenAigovAllows(): void
    {
        self::assertSame([200, ['draft' => 'a draft']], $this->ask('ws-1'));
        self::assertSame(['How do I reset a tenant?'], $this->prompts);
        self::assertSame('42', $this->governance->evaluations()[0]['request']->actor->id);
    }

    public function testAPauseStopsTheModelAndSaysSo(): void
    {
        $this->governance->pause(ControlScope::workspace('ws-1'));

        self::assertSame([409, ['message' => 'AI drafting is paused; try again later.']], $this->ask('ws-1'));
        self::assertSame([], $this->prompts);
    }

    public function testAWorkspaceThatNeverEnabledAiIsNotEnabled(): void
    {
        self::assertSame([409, ['message' => 'AI drafting is not enabled for this workspace.']], $this->ask('ws-2'));
        self::assertSame([], $this->prompts);
    }

    public function testAnOutageIsNotReportedAsAMisconfiguration(): void
    {
        $this->governance->failNext(FailureKind::UNAVAILABLE)->failNext(FailureKind::REJECTED_CALLER);

        self::assertSame('AI drafting is unavailable right now.', $this->ask('ws-1')[1]['message']);
        self::assertSame('AI drafting is misconfigured; the team has been told.', $this->ask('ws-1')[1]['message']);
        self::assertSame(['draft' => 'a draft'], $this->ask('ws-1')[1]);
        self::assertCount(1, $this->prompts);
    }
}
