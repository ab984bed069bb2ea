// Writes ../static/editor.LICENSES.txt: the licence of every package bundled into editor.js.
import {readFileSync, writeFileSync, readdirSync, existsSync} from "node:fs";
import {join} from "node:path";
const roots = ["@codemirror", "@lezer"].flatMap(s => readdirSync(join("node_modules", s)).map(p => join(s, p)));
roots.push("style-mod", "w3c-keyname", "crelt", ...readdirSync("node_modules/@marijn").map(p => join("@marijn", p)));
const parts = [];
for (const name of roots) {
  const dir = join("node_modules", name);
  const file = ["LICENSE", "LICENSE.md", "LICENSE.txt"].map(f => join(dir, f)).find(existsSync);
  if (!file) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  parts.push(`== ${pkg.name} ${pkg.version} (${pkg.license}) ==\n\n${readFileSync(file, "utf8").trim()}\n`);
}
writeFileSync("../static/editor.LICENSES.txt", parts.join("\n"));
