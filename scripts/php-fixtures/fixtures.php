<?php
/*
 * Runs the corpus (scripts/php-fixtures/corpus.ts → test/fixtures/php/corpus.json) through real PHP and writes
 * what PHP answers to test/fixtures/php/php-results.json. The INI values are pinned on the command line
 * (see scripts/php-fixtures/regenerate.sh) so that the output depends only on PHP itself.
 *
 * Array results are written as ordered [key, value] pairs, keys tagged "i:" (integer) or "s:" (string), so
 * that key order and key type survive JSON.
 */

error_reporting(E_ALL & ~E_WARNING); // parse_str warns when max_input_vars is exceeded: that is the point

$corpus = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);

/** Strings that are not UTF-8 (PHP keeps raw bytes) are written as their bytes: {"bytes": "hex"}. */
function text($string)
{
    return preg_match('//u', $string) ? $string : ['bytes' => bin2hex($string)];
}

function tagged($value)
{
    if (!is_array($value)) {
        return text($value);
    }
    $pairs = [];
    foreach ($value as $key => $item) {
        $key = is_int($key) ? 'i:' . $key : (preg_match('//u', $key) ? 's:' . $key : 'b:' . bin2hex($key));
        $pairs[] = [$key, tagged($item)];
    }
    return $pairs;
}

const OUT = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE;
const PORTAL = JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT;

$results = [
    'php' => PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION,
    'ini' => [
        'max_input_vars' => ini_get('max_input_vars'),
        'max_input_nesting_level' => ini_get('max_input_nesting_level'),
        'serialize_precision' => ini_get('serialize_precision'),
        'precision' => ini_get('precision'),
        'arg_separator.input' => ini_get('arg_separator.input'),
        'arg_separator.output' => ini_get('arg_separator.output'),
    ],
    'parseStr' => [],
    'buildQuery' => [],
    'jsonEncode' => [],
    'jsonDecode' => [],
];

foreach ($corpus['parseStr'] as $query) {
    $parsed = [];
    parse_str($query, $parsed);
    $json = json_encode($parsed, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    $results['parseStr'][] = ['raw' => tagged($parsed), 'json' => $json === false ? null : $json];
}

foreach ($corpus['buildQuery'] as $text) {
    $results['buildQuery'][] = http_build_query(json_decode($text, true, 512, JSON_THROW_ON_ERROR));
}

foreach ($corpus['jsonEncode'] as $text) {
    $results['jsonEncode'][] = json_encode(json_decode($text, true, 512, JSON_THROW_ON_ERROR), PORTAL);
}

foreach ($corpus['jsonDecode'] as $text) {
    $value = json_decode($text, true);
    $results['jsonDecode'][] = json_last_error() === JSON_ERROR_NONE
        ? ['ok' => true, 'json' => json_encode($value, OUT)]
        : ['ok' => false, 'error' => json_last_error_msg()];
}

// One case per line: small diffs, readable review.
$sections = [];
foreach ($results as $name => $value) {
    $body = is_array($value) && array_is_list($value)
        ? "[\n  " . implode(",\n  ", array_map(fn ($item) => json_encode($item, OUT), $value)) . "\n ]"
        : json_encode($value, OUT);
    $sections[] = json_encode($name) . ': ' . $body;
}
file_put_contents($argv[2], "{\n " . implode(",\n ", $sections) . "\n}\n");
