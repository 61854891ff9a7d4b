import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { contentSecurityPolicy, createNonce, escapeHtml, WEBVIEW_RESOURCE_FOLDERS, webviewAssets, webviewHtml } from '../../client/src/webviewHtml';

const shell = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abc123XYZ',
  title: '<img src=x onerror=alert(1)>.png',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/preview.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/preview.css'],
  rootId: 'medseg-preview',
};

describe('webview shell', () => {
  test('the CSP allows nothing remote and scripts only with the nonce', () => {
    assert.equal(
      contentSecurityPolicy(shell),
      "default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data: blob:; style-src https://file+.vscode-resource.vscode-cdn.net; font-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123XYZ'",
    );
    assert.match(contentSecurityPolicy({ ...shell, inlineStyles: true }), /style-src \S+ 'unsafe-inline';/);
    assert.doesNotMatch(contentSecurityPolicy({ ...shell, inlineStyles: true }), /script-src[^;]*unsafe/);
  });

  test('a hostile title is escaped; the only script carries the nonce', () => {
    const html = webviewHtml(shell);
    assert.ok(!html.includes('<img'), 'no raw <img in the page');
    assert.ok(html.includes('<title>&lt;img src=x onerror=alert(1)&gt;.png</title>'));
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script nonce="abc123XYZ" src="${shell.scriptUri}">`]);
    assert.ok(html.includes('<main id="medseg-preview"></main>'));
    assert.ok(html.includes(`<link rel="stylesheet" href="${shell.styleUris[0]}">`));
  });

  test('a nonce that could break out of the attribute is refused', () => {
    assert.throws(() => webviewHtml({ ...shell, nonce: 'a" onload="x' }), /alphanumeric/);
  });

  test('nonces are alphanumeric, long and different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const n = createNonce();
      assert.match(n, /^[A-Za-z0-9]{16,}$/);
      seen.add(n);
    }
    assert.equal(seen.size, 200);
  });

  test('escapeHtml covers the five HTML specials', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('webview resource roots', () => {
  test('webviews may load only the extension\'s stylesheets and webview bundles: no workspace, results or dataset folder', () => {
    assert.deepEqual([...WEBVIEW_RESOURCE_FOLDERS], ['media', 'dist/webview']);
  });

  test('everything the dashboard and the preview load lies in those folders (and the stylesheets exist)', () => {
    const root = join(__dirname, '..', '..');
    for (const [script, styles] of [['dashboard', ['report', 'dashboard']], ['preview', ['preview']]] as const) {
      const assets = webviewAssets(script, styles);
      assert.deepEqual(assets, [`dist/webview/${script}.js`, ...styles.map((s) => `media/${s}.css`)]);
      for (const asset of assets) {
        assert.ok(WEBVIEW_RESOURCE_FOLDERS.some((folder) => asset.startsWith(`${folder}/`) && !asset.slice(folder.length + 1).includes('/')), asset);
        if (asset.startsWith('media/')) assert.ok(existsSync(join(root, asset)), asset);
      }
    }
  });
});
