#!/usr/bin/env node
/*
 * Node peer for takedown's URL-extraction benchmark and recall check.
 *
 * What a typical Node script does: mailparser's simpleParser() on each file,
 * then linkify-it over the text body, the HTML body, and the content of
 * every attachment whose type is text/html.  linkify-it's default options
 * (fuzzyLink, fuzzyEmail, fuzzyIP off) are kept; match.url is printed
 * (linkify-it adds "http://" to "www." links and "mailto:" to addresses).
 *
 * Usage:
 *   node node_extract.js [--mode urls|count|parse] [--files-from LIST] FILE...
 *
 *   --mode urls   (default) print "FILE<TAB>URL" per URL, in text order,
 *                 duplicates within a file removed.
 *   --mode count  extract, print only "messages N bytes B urls U" at the end.
 *   --mode parse  simpleParser only, no linkify; summary line (urls 0).
 *   --files-from  read further file names, one per line, from LIST.
 *
 * Files are handled one after another in one process.  A file that fails
 * is reported on stderr; the exit status is then 1.
 *
 * Needs:  npm install --prefix bench   (versions pinned in bench/package.json)
 */
'use strict';

const fs = require('fs');
const path = require('path');
const modules = path.join(__dirname, '..', 'node_modules');
const { simpleParser } = require(path.join(modules, 'mailparser'));
const { LinkifyIt } = require(path.join(modules, 'linkify-it'));

const linkify = new LinkifyIt();

function usage() {
	process.stderr.write('usage: node_extract.js [--mode urls|count|parse] ' +
		'[--files-from LIST] FILE...\n');
	process.exit(2);
}

function parseArgs(argv) {
	const a = { mode: 'urls', files: [] };
	for (let i = 0; i < argv.length; i++) {
		const s = argv[i];
		if (s === '--mode') {
			a.mode = argv[++i];
			if (!['urls', 'count', 'parse'].includes(a.mode))
				usage();
		} else if (s === '--files-from') {
			const list = argv[++i];
			if (list === undefined)
				usage();
			const txt = fs.readFileSync(list === '-' ? 0 : list, 'utf8');
			for (const ln of txt.split('\n'))
				if (ln.trim())
					a.files.push(ln);
		} else if (s === '--help' || s === '-h') {
			usage();
		} else {
			a.files.push(s);
		}
	}
	return a;
}

function bodies(parsed) {
	const out = [];
	if (typeof parsed.text === 'string')
		out.push(parsed.text);
	if (typeof parsed.html === 'string')
		out.push(parsed.html);
	for (const att of parsed.attachments || []) {
		if ((att.contentType || '').toLowerCase() === 'text/html' &&
		    att.content)
			out.push(att.content.toString('utf8'));
	}
	return out;
}

async function main() {
	const a = parseArgs(process.argv.slice(2));
	let nmsg = 0, nbytes = 0, nurls = 0, failed = 0;
	const chunks = [];
	for (const file of a.files) {
		let buf;
		try {
			buf = fs.readFileSync(file);
			const parsed = await simpleParser(buf);
			nmsg++;
			nbytes += buf.length;
			if (a.mode === 'parse')
				continue;
			const seen = new Set();
			for (const text of bodies(parsed)) {
				const ms = linkify.match(text);
				if (!ms)
					continue;
				for (const m of ms) {
					if (seen.has(m.url))
						continue;
					seen.add(m.url);
					nurls++;
					if (a.mode === 'urls')
						chunks.push(file + '\t' + m.url + '\n');
				}
			}
			if (chunks.length > 4096) {
				process.stdout.write(chunks.join(''));
				chunks.length = 0;
			}
		} catch (e) {
			process.stderr.write('node_extract: ' + file + ': ' +
				(e && e.message) + '\n');
			failed++;
		}
	}
	if (a.mode !== 'urls')
		chunks.push('messages ' + nmsg + ' bytes ' + nbytes +
			' urls ' + nurls + '\n');
	process.stdout.write(chunks.join(''));
	process.exitCode = failed ? 1 : 0;
}

main();
