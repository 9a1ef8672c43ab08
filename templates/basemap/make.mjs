// Writes ../static/us-states.lines (the lines between U.S. states and the
// nation's outline) and ../static/us-counties.lines (the lines between
// counties inside a state, which the states' file already draws elsewhere),
// from the U.S. Census Bureau's 2017 cartographic boundary files
// (1:10,000,000, public domain) as the us-atlas package ships them.
//
//   npm ci --prefix templates/basemap && node templates/basemap/make.mjs
//
// One line of text per polyline: "lon,lat lon,lat ...", degrees to two
// decimals (about a kilometre), repeated points dropped. The templates crate
// embeds the files at build time (include_str!) and draws the lines that fall
// inside each results map; nothing is fetched when a page is served.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mesh } from "topojson-client";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const atlas = (name) => JSON.parse(readFileSync(require.resolve(`us-atlas/${name}`), "utf8"));

function write(name, lines) {
  const out = [];
  for (const line of lines) {
    const points = [];
    for (const [lon, lat] of line) {
      const p = `${lon.toFixed(2)},${lat.toFixed(2)}`;
      if (points[points.length - 1] !== p) points.push(p);
    }
    if (points.length > 1) out.push(points.join(" "));
  }
  const file = path.join(here, "../static", name);
  writeFileSync(file, out.join("\n") + "\n");
  console.error(`${out.length} lines, ${out.reduce((n, l) => n + l.split(" ").length, 0)} points -> ${file}`);
}

const states = atlas("states-10m.json");
write("us-states.lines", [
  ...mesh(states, states.objects.states, (a, b) => a !== b).coordinates,
  ...mesh(states, states.objects.nation).coordinates,
]);
// a county's id is its FIPS code, whose first two digits are its state's:
// only the lines between two counties of one state (state lines are drawn
// from the states' file, once)
const counties = atlas("counties-10m.json");
const state = (county) => String(county.id).slice(0, 2);
write(
  "us-counties.lines",
  mesh(counties, counties.objects.counties, (a, b) => a !== b && state(a) === state(b)).coordinates,
);
