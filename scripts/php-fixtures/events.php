<?php
/*
 * Encodes every event example of the docs (test/fixtures/php/event-examples.json, written by `npm run codegen`)
 * as the portal posts it — `http_build_query` — and records what `parse_str` reads back, so the SDK's event
 * parsing is checked against real PHP without PHP at test time. Output: test/fixtures/php/event-encodings.json.
 */

$rows = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
$out = [];
foreach ($rows as $row) {
    $encoded = http_build_query($row['payload']);
    parse_str($encoded, $parsed);
    $out[] = [
        'code' => $row['code'],
        'doc' => $row['doc'],
        'encoded' => $encoded,
        'data' => $parsed['data'] ?? null,
    ];
}
file_put_contents(
    $argv[2],
    json_encode(
        ['php' => PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, 'events' => $out],
        JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR,
    ) . "\n",
);
