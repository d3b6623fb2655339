#!/usr/bin/env bash
# Regenerates test/fixtures/php/{corpus,php-results}.json: the TS corpus, then real PHP's answers to it; and
# test/fixtures/php/event-encodings.json: the docs' event examples (event-examples.json, from `npm run codegen`)
# as the portal posts them.
# Needs php-cli (Debian: apt-get install -y php-cli). npm test only reads the committed files.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsx scripts/php-fixtures/corpus.ts
php -n \
  -d max_input_vars=1000 \
  -d max_input_nesting_level=64 \
  -d serialize_precision=-1 \
  -d precision=14 \
  -d arg_separator.input='&' \
  -d arg_separator.output='&' \
  scripts/php-fixtures/fixtures.php test/fixtures/php/corpus.json test/fixtures/php/php-results.json
php -n -d serialize_precision=-1 -d precision=14 -d arg_separator.output='&' \
  scripts/php-fixtures/events.php test/fixtures/php/event-examples.json test/fixtures/php/event-encodings.json
echo "wrote test/fixtures/php/php-results.json and event-encodings.json ($(php -r 'echo PHP_VERSION;'))"
