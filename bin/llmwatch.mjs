#!/usr/bin/env node
// The `llmwatch` command: runs the compiled CLI (built by `npm run build`, also on `npm ci`).
import '../dist/cli/main.js';
