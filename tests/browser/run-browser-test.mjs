// SPDX-License-Identifier: GPL-3.0-or-later
//
// Headless Chromium (Debian's) plays a Videoflix video through the API the way the
// frontend does: login with cookies from another origin, the catalogue, then
// master.m3u8 with hls.js. Asserts that playback advances and that each rendition
// plays when forced; saves a screenshot. Exit status 0 on success.
//   node run-browser-test.mjs --api URL --page-port N --email E --password P
//        --video ID --screenshot FILE [--chromium PATH]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = {};
for (let i = 2; i < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const name of ['api', 'page-port', 'email', 'password', 'video', 'screenshot']) {
  if (!args[name]) { console.error(`missing --${name}`); process.exit(2); }
}

function fail(message) {
  throw new Error(message);
}

// the page and hls.js, served from this folder on the page's own origin
const types = {'.html': 'text/html', '.js': 'text/javascript'};
const server = http.createServer((request, response) => {
  const name = path.normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
  const file = path.join(here, name);
  if (!file.startsWith(here + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404);
    response.end();
    return;
  }
  response.writeHead(200, {'Content-Type': types[path.extname(file)] || 'application/octet-stream'});
  fs.createReadStream(file).pipe(response);
});
await new Promise((resolve) => server.listen(Number(args['page-port']), '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath: args.chromium || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--autoplay-policy=no-user-gesture-required'],
});
let status = 1;
const page = await browser.newPage();
page.on('console', (message) => console.log('page:', message.text()));
try {
  await page.goto(`http://127.0.0.1:${args['page-port']}/player.html`);
  const api = args.api;
  const login = await page.evaluate(([a, e, p]) => vf.call(a, 'POST', '/api/login/', {email: e, password: p}),
                                    [api, args.email, args.password]);
  if (login.status !== 200) fail(`login answered ${login.status}: ${JSON.stringify(login.body)}`);
  const list = await page.evaluate((a) => vf.call(a, 'GET', '/api/video/'), api);
  if (list.status !== 200 || !Array.isArray(list.body)) fail(`catalogue answered ${list.status}`);
  const item = list.body.find((v) => String(v.id) === String(args.video));
  if (!item || item.status !== 'ready') fail(`video ${args.video} is not ready in the catalogue`);
  console.log('catalogue item:', JSON.stringify(item));

  const levels = await page.evaluate((url) => vf.play(url), `${api}/api/video/${args.video}/master.m3u8`);
  console.log('levels:', levels.join(', '));
  if (levels.length < 3) fail(`expected three renditions, got ${levels.length}`);

  const advanced = async (from, timeoutMs) => {
    await page.waitForFunction((t) => document.getElementById('video').currentTime > t, from,
                               {timeout: timeoutMs, polling: 100});
    return page.evaluate(() => document.getElementById('video').currentTime);
  };
  let time = await advanced(0.5, 30000);
  console.log('playing, currentTime', time.toFixed(2));

  for (let level = 0; level < levels.length; level++) {
    await page.evaluate((l) => { vf.fragLevels = []; hls.currentLevel = l; }, level);
    await page.waitForFunction((l) => vf.fragLevels.includes(l), level, {timeout: 30000, polling: 100});
    const before = await page.evaluate(() => document.getElementById('video').currentTime);
    time = await advanced(before + 0.3, 30000);
    const current = await page.evaluate(() => hls.currentLevel);
    console.log(`rendition ${levels[level]}p: fragments loaded, currentTime ${time.toFixed(2)}, level ${current}`);
  }
  await page.screenshot({path: args.screenshot});
  console.log('screenshot:', args.screenshot);
  status = 0;
} catch (error) {
  console.error('browser test failed:', error.message);
  try { await page.screenshot({path: args.screenshot}); } catch (e) { /* no page */ }
} finally {
  await browser.close();
  server.close();
}
process.exit(status);
