import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedBlocks, readmeBlock } from "../scripts/readmeFigures.ts";
import { PROJECT_DIR } from "./wranglerDev.ts";

/** The docs' generated figures (the example conversation, the tool list's size) are what the code computes today (npm run readme:figures rewrites them). */
const blocks = await generatedBlocks();

describe("generated figures in the docs", () => {
  for (const [name, { file, text }] of Object.entries(blocks)) {
    it(`the ${name} block of ${file} matches the code (run npm run readme:figures after a change)`, () => {
      expect(readmeBlock(readFileSync(join(PROJECT_DIR, file), "utf8"), name)).toBe(text);
    });
  }
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replace(/ /g, "-");

describe("links between the docs", () => {
  const docs = ["README.md", ...readdirSync(join(PROJECT_DIR, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), ...readdirSync(join(PROJECT_DIR, "docs/decisions")).map((f) => `docs/decisions/${f}`)];
  it("every relative link of README.md and docs/ reaches a file, and a heading of it when it names one", () => {
    const broken: string[] = [];
    for (const doc of docs) {
      const text = readFileSync(join(PROJECT_DIR, doc), "utf8");
      for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(link!)) continue;
        const [path, fragment] = link!.split("#") as [string, string | undefined];
        const target = path ? join(dirname(join(PROJECT_DIR, doc)), path) : join(PROJECT_DIR, doc);
        if (!existsSync(target)) {
          broken.push(`${doc}: ${link} (no such file)`);
          continue;
        }
        if (fragment && target.endsWith(".md")) {
          const headings = [...readFileSync(target, "utf8").matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
          if (!headings.includes(fragment)) broken.push(`${doc}: ${link} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
