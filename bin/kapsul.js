#!/usr/bin/env node
import { main } from '../dist/kapsul/main.js';
main(process.argv.slice(2));
