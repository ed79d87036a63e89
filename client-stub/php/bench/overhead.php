<?php

declare(strict_types=1);

// The PHP client's overhead per call: N evaluate() calls against N bare curl calls of the same
// request (a fresh request_id each, as evaluate() sends) on one reused curl handle, against the same
// running aigov, interleaved in rounds so that both see the same server and machine. Prints µs per
// call (mean and median) for each, and the difference.
//
//   AIGOV_TEST_URL=http://127.0.0.1:8080 AIGOV_TEST_SIBLING_TOKEN=... AIGOV_TEST_ADMIN_TOKEN=... \
//     php bench/overhead.php [N=2000]

require __DIR__ . '/../tests/bootstrap.php';

use Aigov\Client\Actor;
use Aigov\Client\AiGovernanceClient;
use Aigov\Client\AiRequest;
use Aigov\Client\DataClassification;
use Aigov\Client\ProviderClass;
use Aigov\Client\SourceFamily;
use Aigov\Client\UseCase;
use Aigov\Client\Uuid;
use Aigov\Client\Wire;

$url = getenv('AIGOV_TEST_URL') ?: exit("AIGOV_TEST_URL is not set\n");
$token = getenv('AIGOV_TEST_SIBLING_TOKEN') ?: exit("AIGOV_TEST_SIBLING_TOKEN is not set\n");
$admin = getenv('AIGOV_TEST_ADMIN_TOKEN') ?: exit("AIGOV_TEST_ADMIN_TOKEN is not set\n");
$n = (int) ($argv[1] ?? 2000);
$round = 100;

$workspace = 'bench-' . bin2hex(random_bytes(4));
$set = curl_init("$url/aigov.v1.WorkspacePolicyService/SetWorkspacePolicy");
curl_setopt_array($set, [CURLOPT_POST => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_HTTPHEADER => ['Content-Type: application/json',
    "Authorization: Bearer $admin"], CURLOPT_POSTFIELDS => json_encode(['workspace_id' => $workspace,
    'policy_mode' => 'POLICY_MODE_PRIVATE_ONLY', 'reason' => 'bench'])]);
curl_exec($set) !== false && curl_getinfo($set, CURLINFO_RESPONSE_CODE) === 200 || exit("cannot set the bench workspace's policy\n");

$request = new AiRequest($workspace, UseCase::PRODUCT_KNOWLEDGE_ANSWER_DRAFT, ProviderClass::LOCAL_PRIVATE,
    [DataClassification::PRODUCT_KNOWLEDGE], SourceFamily::PRODUCT_KNOWLEDGE, Actor::service('bench'), callerSurface: 'bench');
$client = new AiGovernanceClient($url, $token, deadlineMs: 5000);

$bare = curl_init("$url/aigov.v1.DecisionService/EvaluateAiRequest");
curl_setopt_array($bare, [CURLOPT_POST => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_TCP_NODELAY => true, CURLOPT_HTTPHEADER => [
    'Content-Type: application/json', 'Connect-Protocol-Version: 1', 'Connect-Timeout-Ms: 5000', "Authorization: Bearer $token",
    'aigov-client-version: ' . AiGovernanceClient::VERSION_HEADER_VALUE, 'Expect:']]);
$bareCall = function (string $body) use ($bare): void {
    curl_setopt($bare, CURLOPT_POSTFIELDS, $body);
    $answer = curl_exec($bare);
    if ($answer === false || curl_getinfo($bare, CURLINFO_RESPONSE_CODE) !== 200 || !str_contains($answer, 'OUTCOME_ALLOW')) {
        exit("bare call failed: $answer\n");
    }
};

// Warm both paths: connections, the server's JIT, PHP's opcache.
for ($i = 0; $i < 200; $i++) {
    $client->evaluate($request)->allowed() || exit("the client's evaluate is not an ALLOW\n");
    $bareCall(Wire::encodeRequest($request, Uuid::v4()));
}

$clientUs = [];
$bareUs = [];
for ($done = 0; $done < $n; $done += $round) {
    // The bare bodies are built outside the clock: the bare side measures the HTTP round trip alone.
    $bodies = [];
    for ($i = 0; $i < $round; $i++) {
        $bodies[] = Wire::encodeRequest($request, Uuid::v4());
    }
    $bareRound = function () use ($bodies, $bareCall, &$bareUs): void {
        foreach ($bodies as $body) {
            $start = hrtime(true);
            $bareCall($body);
            $bareUs[] = (hrtime(true) - $start) / 1000;
        }
    };
    $clientRound = function () use ($client, $request, $round, &$clientUs): void {
        for ($i = 0; $i < $round; $i++) {
            $start = hrtime(true);
            $decision = $client->evaluate($request);
            $clientUs[] = (hrtime(true) - $start) / 1000;
            $decision->allowed() || exit("evaluate blocked: $decision\n");
        }
    };
    // Which side goes first alternates, so that neither always follows the other's audit batches.
    if (intdiv($done, $round) % 2 === 0) {
        $bareRound();
        $clientRound();
    } else {
        $clientRound();
        $bareRound();
    }
}

$median = function (array $values): float {
    sort($values);
    $count = count($values);
    return $count % 2 ? $values[intdiv($count, 2)] : ($values[$count / 2 - 1] + $values[$count / 2]) / 2;
};
$mean = fn (array $values) => array_sum($values) / count($values);
printf("calls per side: %d (interleaved in rounds of %d), PHP %s, curl %s\n", count($clientUs), $round, PHP_VERSION, curl_version()['version']);
printf("bare curl (reused handle):  mean %8.1f us  median %8.1f us\n", $mean($bareUs), $median($bareUs));
printf("AiGovernanceClient:         mean %8.1f us  median %8.1f us\n", $mean($clientUs), $median($clientUs));
printf("client overhead per call:   mean %8.1f us  median %8.1f us\n", $mean($clientUs) - $mean($bareUs), $median($clientUs) - $median($bareUs));

// The client's own work per call, without I/O, where the round trip's noise cannot hide it: a fresh
// request_id, the request's JSON, and the reading and checking of a real answer (the last one above).
curl_setopt($bare, CURLOPT_POSTFIELDS, Wire::encodeRequest($request, Uuid::v4()));
$answer = (string) curl_exec($bare);
$m = 100_000;
$start = hrtime(true);
for ($i = 0; $i < $m; $i++) {
    $id = Uuid::v4();
    Wire::encodeRequest($request, $id);
    Wire::decodeDecision($answer, $id)->allowed() || exit("the answer did not read as an ALLOW\n");
}
printf("client work without I/O:    mean %8.2f us  (%d calls of Uuid::v4 + encodeRequest + decodeDecision)\n",
    (hrtime(true) - $start) / 1000 / $m, $m);
