//! The results map: an inline SVG drawn on the server, so it works without
//! JavaScript and loads nothing from anywhere.
//!
//! An equirectangular projection fitted to the bounding box of the page's
//! results (and the search origin), with longitudes scaled by the cosine of
//! the middle latitude so distances look the same both ways and the search
//! radius is a circle. Markers carry the numbers of the cards in the list;
//! programs placed only by their ZIP code or city centre are drawn hollow and
//! dashed, and the legend says so. The SVG is an image with an accessible
//! name; its text alternative is the numbered list itself.

use crate::SiteContext;
use iop_index::listing::is_listing_id;
use iop_index::{Hit, Origin, Precision};
use maud::{html, Markup};
use std::fmt::Write;
use std::sync::{LazyLock, OnceLock};

/// The lines between U.S. states and the nation's outline: the U.S. Census
/// Bureau's 2017 cartographic boundaries (1:10,000,000, public domain) as the
/// `us-atlas` npm package ships them, written by `templates/basemap/make.mjs`
/// as one polyline a line of text ("lon,lat lon,lat ...", degrees to two
/// decimals). Embedded at build time: a map sends nothing to anyone.
const STATE_LINES: &str = include_str!("../static/us-states.lines");

/// The lines between two counties of one state, from the same Census
/// boundaries (`counties-10m.json` of `us-atlas`), in the same form; a state
/// line is drawn once, from [`STATE_LINES`].
const COUNTY_LINES: &str = include_str!("../static/us-counties.lines");

/// County lines are drawn only on maps at most this many degrees of latitude
/// tall (about 210 miles): a metro area or a region, where they help find
/// one's way; a larger view would be a thicket of them, and bytes.
const COUNTY_SPAN: f64 = 3.0;

/// A polyline of the basemap, in (longitude, latitude), with its extent.
struct Polyline {
    west: f64,
    east: f64,
    south: f64,
    north: f64,
    points: Vec<(f64, f64)>,
}

/// The polylines of a `.lines` file (see [`STATE_LINES`]); malformed points
/// are skipped, and lines left with fewer than two points.
fn polylines(text: &str) -> Vec<Polyline> {
    text.lines()
        .filter_map(|line| {
            let points: Vec<(f64, f64)> = line
                .split(' ')
                .filter_map(|p| {
                    let (lon, lat) = p.split_once(',')?;
                    Some((lon.parse().ok()?, lat.parse().ok()?))
                })
                .collect();
            let fold = |f: fn(f64, f64) -> f64, start: f64, pick: fn(&(f64, f64)) -> f64| {
                points.iter().map(pick).fold(start, f)
            };
            let (west, east) = (
                fold(f64::min, 180.0, |p| p.0),
                fold(f64::max, -180.0, |p| p.0),
            );
            let (south, north) = (
                fold(f64::min, 90.0, |p| p.1),
                fold(f64::max, -90.0, |p| p.1),
            );
            (points.len() > 1).then_some(Polyline {
                west,
                east,
                south,
                north,
                points,
            })
        })
        .collect()
}

static BASEMAP: LazyLock<Vec<Polyline>> = LazyLock::new(|| polylines(STATE_LINES));
static COUNTIES: LazyLock<Vec<Polyline>> = LazyLock::new(|| polylines(COUNTY_LINES));

/// An operator's street-tile server, under the results map as a progressive
/// enhancement: off unless `serve --map-tiles` (or `IOPFINDER_MAP_TILES`)
/// names one, so by default no page asks another origin for anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileServer {
    template: String,
    origin: String,
    credit: String,
}

/// Why a tile URL template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileTemplateError {
    /// Not an `https://` (or `http://`) URL with a host.
    NotHttp,
    /// One of `{z}`, `{x}` and `{y}` is missing.
    MissingPlaceholder(&'static str),
    /// A character that has no place in a URL template (space, quote, angle
    /// bracket, backslash, semicolon or comma, which would also break the
    /// Content-Security-Policy that names the origin).
    BadCharacter(char),
}

impl std::fmt::Display for TileTemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TileTemplateError::NotHttp => {
                f.write_str("a tile URL template starts with https:// (or http://) and a host")
            }
            TileTemplateError::MissingPlaceholder(p) => {
                write!(
                    f,
                    "a tile URL template has {{z}}, {{x}} and {{y}}; {p} is missing"
                )
            }
            TileTemplateError::BadCharacter(c) => {
                write!(f, "a tile URL template cannot contain {c:?}")
            }
        }
    }
}

impl std::error::Error for TileTemplateError {}

impl TileServer {
    /// An OSM-style URL template (`https://tile.example.org/{z}/{x}/{y}.png`:
    /// Web Mercator tiles, 256 pixels, `{z}` zoom, `{x}` column from the
    /// antimeridian eastwards, `{y}` row from the north), and the credit the
    /// map's legend gives its tiles (the provider's required attribution,
    /// such as "© OpenStreetMap contributors"; when empty, the legend names
    /// the tile server's host).
    ///
    /// Errors: [`TileTemplateError`] for anything but an http(s) URL with a
    /// host and the three placeholders.
    pub fn new(template: &str, credit: &str) -> Result<TileServer, TileTemplateError> {
        let template = template.trim();
        if let Some(c) = template
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || "\"'<>\\;,`".contains(*c))
        {
            return Err(TileTemplateError::BadCharacter(c));
        }
        let rest = template
            .strip_prefix("https://")
            .or_else(|| template.strip_prefix("http://"))
            .ok_or(TileTemplateError::NotHttp)?;
        let host = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        if host.is_empty() || host.contains(['{', '}', '@']) {
            return Err(TileTemplateError::NotHttp);
        }
        for p in ["{z}", "{x}", "{y}"] {
            if !template.contains(p) {
                return Err(TileTemplateError::MissingPlaceholder(p));
            }
        }
        let origin = template[..template.len() - rest.len() + host.len()].to_string();
        let credit = match credit.trim() {
            "" => host.to_string(),
            c => c.to_string(),
        };
        Ok(TileServer {
            template: template.to_string(),
            origin,
            credit,
        })
    }

    /// The tiles' origin (`https://tile.example.org`), for the
    /// Content-Security-Policy's `img-src`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The URL of one tile.
    fn url(&self, z: u32, x: u32, y: u32) -> String {
        self.template
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    }
}

static TILES: OnceLock<TileServer> = OnceLock::new();

/// Put street tiles under every results map this process draws from now on
/// (set once, when the server starts; a second call is refused and returns
/// the server it was given).
pub fn use_tile_server(server: TileServer) -> Result<(), TileServer> {
    TILES.set(server)
}

/// The tile server in use, if the operator set one.
pub fn tile_server() -> Option<&'static TileServer> {
    TILES.get()
}

/// The tile size, in pixels, that OSM-style servers draw for.
const TILE_PIXELS: f64 = 256.0;

/// The highest zoom tile servers commonly draw.
const MAX_ZOOM: i32 = 19;

/// The tiles that cover the frame, as SVG images, each stretched over its
/// own latitude and longitude range (Web Mercator and the map's projection
/// agree within a tile to far under a unit); a zoom where a tile is
/// between half and all of [`TILE_PIXELS`] units wide.
fn tiles(frame: &Frame, server: &TileServer) -> String {
    let (w, e, s, n_) = frame.extent();
    let units_per_degree = frame.cos * frame.scale;
    let z = (360.0 * units_per_degree / TILE_PIXELS)
        .log2()
        .ceil()
        .clamp(0.0, MAX_ZOOM as f64) as i32;
    let count = 2f64.powi(z);
    let column = |lon: f64| {
        ((lon + 180.0) / 360.0 * count)
            .floor()
            .clamp(0.0, count - 1.0)
    };
    let row = |lat: f64| {
        let lat = lat.clamp(-85.05, 85.05).to_radians();
        ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * count)
            .floor()
            .clamp(0.0, count - 1.0)
    };
    let lon_of = |x: f64| x / count * 360.0 - 180.0;
    let lat_of = |y: f64| {
        (std::f64::consts::PI * (1.0 - 2.0 * y / count))
            .sinh()
            .atan()
            .to_degrees()
    };
    let mut out = String::new();
    for y in row(n_) as u32..=row(s) as u32 {
        for x in column(w) as u32..=column(e) as u32 {
            let (left, top) = frame.xy(lat_of(y as f64), lon_of(x as f64));
            let (right, bottom) = frame.xy(lat_of(y as f64 + 1.0), lon_of(x as f64 + 1.0));
            let href = server
                .url(z as u32, x, y)
                .replace('&', "&amp;")
                .replace('"', "&quot;");
            let _ = write!(
                out,
                r#"<image href="{href}" x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none"/>"#,
                n(left),
                n(top),
                // a fifth of a unit over the next tile: no hairline between
                n(right - left + 0.2),
                n(bottom - top + 0.2),
            );
        }
    }
    out
}

/// Width of the drawing, in SVG units.
const WIDTH: f64 = 320.0;
/// Space kept free around the markers, in SVG units.
const PAD: f64 = 16.0;
/// Marker radius, in SVG units.
const MARKER: f64 = 10.0;
/// Miles in a degree of latitude.
const MILES_PER_DEGREE: f64 = 69.05;
/// The smallest area a map shows, in degrees of latitude (about 2 miles),
/// so a single program is not drawn at an absurd scale.
const MIN_SPAN: f64 = 0.03;
/// Height of the area inside the padding between these fractions of its
/// width: with the padding the drawing is at most about 16:9, so the map
/// stays short and the first cards show on a desktop screen.
const MIN_ASPECT: f64 = 0.4;
const MAX_ASPECT: f64 = 0.5;

/// One numbered program on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapMarker {
    /// The number of its card in the list.
    pub number: usize,
    /// The listing's id: the marker links to its card (`#p-{id}`).
    pub id: String,
    /// Latitude of the listing's point, WGS 84 degrees north.
    pub lat: f64,
    /// Longitude of the listing's point, WGS 84 degrees east (negative in the Americas).
    pub lon: f64,
    /// False when only the ZIP code or city centre is known.
    pub exact: bool,
}

/// The markers of a page of hits, numbered from `first`; hits without a
/// point are left out.
pub fn markers(hits: &[Hit], first: usize) -> Vec<MapMarker> {
    hits.iter()
        .enumerate()
        .filter_map(|(i, hit)| {
            let p = hit.listing.point?;
            (p.lat.is_finite() && p.lon.is_finite()).then(|| MapMarker {
                number: first + i,
                id: hit.listing.id.clone(),
                lat: p.lat,
                lon: p.lon,
                exact: p.precision == Precision::Exact,
            })
        })
        .collect()
}

/// The projection of a bounding box onto the drawing.
struct Frame {
    lat0: f64,
    lon0: f64,
    cos: f64,
    scale: f64,
    height: f64,
}

impl Frame {
    fn fit(points: &[(f64, f64)]) -> Frame {
        let (mut s, mut n, mut w, mut e) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
        for &(lat, lon) in points {
            s = s.min(lat);
            n = n.max(lat);
            w = w.min(lon);
            e = e.max(lon);
        }
        let cos = ((s + n) / 2.0).to_radians().cos().max(0.1);
        let mut span_y = (n - s).max(MIN_SPAN);
        let mut span_x = ((e - w) * cos).max(MIN_SPAN);
        // keep the drawing between MIN_ASPECT and MAX_ASPECT tall
        span_y = span_y.max(span_x * MIN_ASPECT);
        span_x = span_x.max(span_y / MAX_ASPECT);
        let scale = (WIDTH - 2.0 * PAD) / span_x;
        let height = span_y * scale + 2.0 * PAD;
        Frame {
            lat0: (s + n) / 2.0,
            lon0: (w + e) / 2.0,
            cos,
            scale,
            height,
        }
    }

    fn xy(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            WIDTH / 2.0 + (lon - self.lon0) * self.cos * self.scale,
            self.height / 2.0 - (lat - self.lat0) * self.scale,
        )
    }

    /// The drawing's extent in degrees: (west, east, south, north).
    fn extent(&self) -> (f64, f64, f64, f64) {
        let half_lon = WIDTH / 2.0 / (self.cos * self.scale);
        let half_lat = self.height / 2.0 / self.scale;
        (
            self.lon0 - half_lon,
            self.lon0 + half_lon,
            self.lat0 - half_lat,
            self.lat0 + half_lat,
        )
    }

    fn miles_to_units(&self, miles: f64) -> f64 {
        miles / MILES_PER_DEGREE * self.scale
    }
}

/// A round length for the scale bar: 1, 2 or 5 times a power of ten, near
/// a quarter of the map's width.
fn scale_miles(frame: &Frame) -> f64 {
    let target = (WIDTH / 4.0) / frame.miles_to_units(1.0);
    let power = 10f64.powf(target.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&m| m <= target)
        .unwrap_or(power)
}

/// A number in SVG units to one decimal, written without a trailing `.0`
/// (`12`, `-3.5`).
fn n(x: f64) -> OneDecimal {
    OneDecimal(x)
}

/// [`n`]'s number: written from its tenths as integers (the float
/// formatter's exact path was 4% of a results page).
#[derive(Debug, Clone, Copy)]
struct OneDecimal(f64);

impl std::fmt::Display for OneDecimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::with_capacity(8);
        push_n(&mut text, self.0);
        f.write_str(&text)
    }
}

/// [`n`]'s number written at the end of `out`, without the formatting
/// machinery (`write!` was a quarter of drawing a results map: a hundred
/// numbers and more).
fn push_n(out: &mut String, x: f64) {
    let tenths = (x * 10.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e15 {
        let _ = write!(out, "{x:.1}");
        return;
    }
    let tenths = tenths as i64;
    if tenths < 0 {
        out.push('-');
    }
    let (whole, tenth) = (tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10);
    out.push_str(itoa::Buffer::new().format(whole));
    if tenth != 0 {
        out.push('.');
        out.push(char::from(b'0' + tenth as u8));
    }
}

/// Pieces of markup and numbers ([`push_n`]), written one after another.
enum Piece<'a> {
    S(&'a str),
    N(f64),
}

fn push_all(out: &mut String, pieces: &[Piece<'_>]) {
    for piece in pieces {
        match *piece {
            Piece::S(s) => out.push_str(s),
            Piece::N(x) => push_n(out, x),
        }
    }
}

/// The results map and its legend; nothing when no marker can be drawn.
pub(crate) fn results_map(
    ctx: &SiteContext,
    markers: &[MapMarker],
    unplaced: usize,
    origin: Option<&Origin>,
    radius_miles: f64,
) -> Markup {
    draw(ctx, markers, unplaced, origin, radius_miles, tile_server())
}

/// [`results_map`], with street tiles from `tiles` under the markers
/// instead of the embedded basemap when given.
fn draw(
    ctx: &SiteContext,
    markers: &[MapMarker],
    unplaced: usize,
    origin: Option<&Origin>,
    radius_miles: f64,
    tiles: Option<&TileServer>,
) -> Markup {
    if markers.is_empty() {
        return html! {};
    }
    let mut points: Vec<(f64, f64)> = markers.iter().map(|m| (m.lat, m.lon)).collect();
    if let Some(o) = origin {
        // the whole search circle in view: its north, south, east and west
        let dlat = radius_miles / MILES_PER_DEGREE;
        let dlon = dlat / o.lat.to_radians().cos().max(0.1);
        points.extend([
            (o.lat, o.lon),
            (o.lat + dlat, o.lon),
            (o.lat - dlat, o.lon),
            (o.lat, o.lon + dlon),
            (o.lat, o.lon - dlon),
        ]);
    }
    let frame = Frame::fit(&points);
    let approximate = markers.iter().any(|m| !m.exact);
    let first = markers.iter().map(|m| m.number).min().unwrap_or(1);
    let last = markers.iter().map(|m| m.number).max().unwrap_or(1);
    let bar = scale_miles(&frame);
    let bar_units = frame.miles_to_units(bar);
    let (_, _, south, north) = frame.extent();
    let layer = if north - south <= COUNTY_SPAN {
        LineLayer::Counties
    } else {
        LineLayer::States
    };
    let mut drawing = match tiles {
        Some(server) => self::tiles(&frame, server),
        None => line_tiles(&frame, layer),
    };
    let counties = tiles.is_none() && layer == LineLayer::Counties;
    // grown once: a marker is about 130 bytes, the names, circle, origin
    // and scale bar under a kilobyte
    drawing.reserve(markers.len() * 140 + 1024);
    let mut circle = false;
    let mut origin_mark = String::new();
    if let Some(o) = origin {
        let (x, y) = frame.xy(o.lat, o.lon);
        let r = frame.miles_to_units(radius_miles);
        // the radius circle only when some of it is inside the drawing (the
        // origin always is): nearer than the farthest corner
        let corner = x.max(WIDTH - x).hypot(y.max(frame.height - y));
        if r < corner {
            circle = true;
            push_all(
                &mut drawing,
                &[
                    Piece::S(r#"<circle class="r" cx=""#),
                    Piece::N(x),
                    Piece::S(r#"" cy=""#),
                    Piece::N(y),
                    Piece::S(r#"" r=""#),
                    Piece::N(r),
                    Piece::S(r#""/>"#),
                ],
            );
        }
        // drawn over the markers, which are nudged off it
        push_all(
            &mut origin_mark,
            &[
                Piece::S(r#"<path class="o" d="M"#),
                Piece::N(x),
                Piece::S(" "),
                Piece::N(y - 7.0),
                Piece::S(r#"l7 7-7 7-7-7z"/>"#),
            ],
        );
    }
    let places = spread(
        &markers
            .iter()
            .map(|m| frame.xy(m.lat, m.lon))
            .collect::<Vec<_>>(),
        origin.map(|o| frame.xy(o.lat, o.lon)),
        frame.height,
    );
    // highest numbers first, so lower numbers are drawn on top; each links
    // to its card (pointer only: the numbered list is the keyboard's way)
    for (m, &(x, y)) in markers.iter().zip(&places).rev() {
        let id = if is_listing_id(&m.id) {
            m.id.as_str()
        } else {
            ""
        };
        use Piece::{N, S};
        push_all(
            &mut drawing,
            &[
                S(r##"<a href="#p-"##),
                S(id),
                S(r#"" tabindex="-1"><g class=""#),
                S(if m.exact { "e" } else { "a" }),
                S(r#"" transform="translate("#),
                N(x),
                S(" "),
                N(y),
                S(r#")"><circle r=""#),
                N(MARKER),
                S(r#""/><text dy=".35em">"#),
                S(itoa::Buffer::new().format(m.number)),
                S("</text></g></a>"),
            ],
        );
    }
    if tiles.is_none() {
        city_labels(&frame, &places, &mut drawing);
    }
    drawing.push_str(&origin_mark);
    let h = frame.height;
    push_all(
        &mut drawing,
        &[
            Piece::S(r#"<path class="s" d="M10 "#),
            Piece::N(h - 14.0),
            Piece::S("v4h"),
            Piece::N(bar_units),
            Piece::S(r#"v-4"/><text class="st" x=""#),
            Piece::N(14.0 + bar_units),
            Piece::S(r#"" y=""#),
            Piece::N(h - 10.0),
            Piece::S(r#"">"#),
            // the bar's length as `one_decimal` writes it
            Piece::N(bar),
            Piece::S(" mi</text>"),
        ],
    );
    let label = format!(
        "{} {first}\u{2013}{last}. {}",
        ctx.t("Map of the programs numbered"),
        ctx.t("The numbered list below gives the same programs in words.")
    );
    html! {
        figure.results-map {
            // the drawing is for the eye (its markers link to the cards for a
            // pointer); in words, the map is its label and the numbered list
            p.visually-hidden { (label) }
            svg.map aria-hidden="true" viewBox={ "0 0 " (n(WIDTH)) " " (n(h)) }
                width=(n(WIDTH)) height=(n(h)) xmlns="http://www.w3.org/2000/svg" {
                (maud::PreEscaped(drawing))
            }
            figcaption.map-legend {
                ul {
                    li { (swatch("e")) (ctx.t("Program, numbered as in the list")) }
                    @if approximate {
                        li { (swatch("a")) (ctx.t("Approximate location: the centre of the program's ZIP code or city")) }
                    }
                    @if circle {
                        li { (swatch("o")) (ctx.t("The place you searched, and the search distance (dashed circle)")) }
                    } @else if origin.is_some() {
                        li { (swatch("o")) (ctx.t("The place you searched")) }
                    }
                }
                @if unplaced > 0 {
                    p { (unplaced) " " (ctx.t("programs on this page have no known location and are not on the map.")) }
                }
                @if let Some(server) = tiles {
                    p.map-note { (ctx.t("Street map tiles:")) " " (server.credit) ". " (ctx.t("Markers close together are moved apart so every number can be read: use each program's directions link.")) }
                } @else if !counties {
                    p.map-note { (ctx.t("The map shows state lines (U.S. Census Bureau) and the names of the largest cities but no streets, and markers close together are moved apart so every number can be read: use each program's directions link.")) }
                } @else {
                    p.map-note { (ctx.t("The map shows state and county lines (U.S. Census Bureau) and the names of the largest cities but no streets, and markers close together are moved apart so every number can be read: use each program's directions link.")) }
                }
            }
        }
    }
}

/// The layers of the embedded basemap's line tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineLayer {
    /// State lines only: views more than [`COUNTY_SPAN`] degrees tall.
    States,
    /// County lines (lighter) under the state lines: views at most
    /// [`COUNTY_SPAN`] tall, a metro area or a region.
    Counties,
}

impl LineLayer {
    /// The layer's name in a tile's path.
    pub fn slug(self) -> &'static str {
        match self {
            LineLayer::States => "states",
            LineLayer::Counties => "counties",
        }
    }

    /// The layer a path names (`states`, `counties`).
    pub fn from_slug(slug: &str) -> Option<LineLayer> {
        [LineLayer::States, LineLayer::Counties]
            .into_iter()
            .find(|l| l.slug() == slug)
    }
}

/// A line tile's side in its own SVG units: the map shows a tile between
/// half and all of this wide, so a unit of the tile is at most one of the
/// map (horizontally; at most 1 / cos(latitude) vertically).
const LINE_TILE_UNITS: f64 = 512.0;

/// The deepest zoom of the line tiles: tiles of 360 / 2^14 degrees
/// (about 1.5 miles), under the smallest view a map shows.
pub const LINE_TILE_MAX_ZOOM: u32 = 14;

/// The line tiles' path prefix, `/map/lines-{hash}`: the hash is of the
/// embedded lines and of how a tile draws them, so the tiles can be cached
/// for a year and a build with other lines has other URLs.
pub fn line_tile_prefix() -> &'static str {
    static PREFIX: LazyLock<String> = LazyLock::new(|| {
        let mut hash: u32 = 0x811c_9dc5;
        for part in [
            STATE_LINES,
            COUNTY_LINES,
            COUNTY_LINE_ATTRIBUTES,
            STATE_LINE_ATTRIBUTES,
            "v1",
        ] {
            for &b in part.as_bytes() {
                hash ^= u32::from(b);
                hash = hash.wrapping_mul(0x0100_0193);
            }
        }
        format!("/map/lines-{hash:08x}")
    });
    &PREFIX
}

/// How a tile draws its lines, as presentation attributes (the site's
/// stylesheet does not reach into an image, and a `<style>` would be
/// subject to the response's Content-Security-Policy): the colours and
/// widths of `.map .k` (county lines) and `.map .b` (state lines), widths
/// in units of the map that shows the tile whatever the tile's scale
/// (`vector-effect="non-scaling-stroke"`).
const COUNTY_LINE_ATTRIBUTES: &str =
    r##"fill="none" stroke="#bcc3ca" stroke-width=".8" vector-effect="non-scaling-stroke""##;
const STATE_LINE_ATTRIBUTES: &str = r##"fill="none" stroke="#8a939c" stroke-width="1.5" stroke-linejoin="round" vector-effect="non-scaling-stroke""##;
/// One tile of the embedded basemap as an SVG document: `layer`'s lines
/// inside the tile, in [`LINE_TILE_UNITS`] square. Tiles are squares of
/// 360 / 2^`z` degrees of longitude and of latitude (plate carrée: a map's
/// projection stretches each onto its own rectangle exactly), `x` counted
/// from 180 degrees west eastwards and `y` from 90 degrees north
/// southwards. `None` for a zoom over [`LINE_TILE_MAX_ZOOM`] or a tile
/// outside the world.
pub fn line_tile(layer: LineLayer, z: u32, x: u32, y: u32) -> Option<String> {
    if z > LINE_TILE_MAX_ZOOM {
        return None;
    }
    let side = 360.0 / f64::from(1u32 << z);
    let (west, north) = (f64::from(x) * side - 180.0, 90.0 - f64::from(y) * side);
    if west >= 180.0 || north <= -90.0 {
        return None;
    }
    let extent = (west, west + side, north - side, north);
    let k = LINE_TILE_UNITS / side;
    let project = |lat: f64, lon: f64| ((lon - west) * k, (north - lat) * k);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {u} {u}" width="{u}" height="{u}" preserveAspectRatio="none">"#,
        u = LINE_TILE_UNITS
    );
    if layer == LineLayer::Counties {
        out.push_str(&lines_path(
            &COUNTIES,
            extent,
            project,
            COUNTY_LINE_ATTRIBUTES,
        ));
    }
    out.push_str(&lines_path(
        &BASEMAP,
        extent,
        project,
        STATE_LINE_ATTRIBUTES,
    ));
    out.push_str("</svg>");
    Some(out)
}

/// The line tiles of `layer` that cover the frame, as SVG images each
/// stretched over its own longitude and latitude range (the tiles and the
/// map are both linear in longitude and latitude, so the fit is exact), at
/// the zoom where a tile is between half and all of [`LINE_TILE_UNITS`]
/// wide on the map.
fn line_tiles(frame: &Frame, layer: LineLayer) -> String {
    let (w, e, s, n_) = frame.extent();
    let units_per_degree = frame.cos * frame.scale;
    let z = (360.0 * units_per_degree / LINE_TILE_UNITS)
        .log2()
        .ceil()
        .clamp(0.0, f64::from(LINE_TILE_MAX_ZOOM)) as u32;
    let count = f64::from(1u32 << z);
    let side = 360.0 / count;
    let column = |lon: f64| ((lon + 180.0) / side).floor().clamp(0.0, count - 1.0) as u32;
    let row = |lat: f64| {
        ((90.0 - lat) / side)
            .floor()
            .clamp(0.0, (count / 2.0).ceil() - 1.0) as u32
    };
    let prefix = line_tile_prefix();
    let mut out = String::new();
    for y in row(n_)..=row(s) {
        for x in column(w)..=column(e) {
            let (west, north) = (f64::from(x) * side - 180.0, 90.0 - f64::from(y) * side);
            let (left, top) = frame.xy(north, west);
            let (right, bottom) = frame.xy(north - side, west + side);
            use Piece::{N, S};
            push_all(
                &mut out,
                &[
                    S(r#"<image href=""#),
                    S(prefix),
                    S("/"),
                    S(layer.slug()),
                    S("/"),
                    S(itoa::Buffer::new().format(z)),
                    S("/"),
                    S(itoa::Buffer::new().format(x)),
                    S("/"),
                    S(itoa::Buffer::new().format(y)),
                    S(r#".svg" x=""#),
                    N(left),
                    S(r#"" y=""#),
                    N(top),
                    S(r#"" width=""#),
                    N(right - left),
                    S(r#"" height=""#),
                    N(bottom - top),
                    S(r#"" preserveAspectRatio="none"/>"#),
                ],
            );
        }
    }
    out
}

/// The polylines inside `extent` (west, east, south, north) as one SVG
/// path with the given attributes, each point `project`ed (latitude,
/// longitude) to units; empty when none is in view.
fn lines_path(
    lines: &[Polyline],
    (w, e, s, n_): (f64, f64, f64, f64),
    project: impl Fn(f64, f64) -> (f64, f64),
    attributes: &str,
) -> String {
    let mut d = String::new();
    for line in lines
        .iter()
        .filter(|l| l.east >= w && l.west <= e && l.north >= s && l.south <= n_)
    {
        // only the segments whose extent meets the view's, each run of
        // them as one subpath
        let mut drawing = false;
        let mut last = (f64::NAN, f64::NAN);
        // the run's last point when it was skipped as too close: drawn
        // when the run ends, so a line meets the next tile's at the edge
        let mut pending: Option<(f64, f64)> = None;
        for pair in line.points.windows(2) {
            let ((lon1, lat1), (lon2, lat2)) = (pair[0], pair[1]);
            let meets = lon1.max(lon2) >= w
                && lon1.min(lon2) <= e
                && lat1.max(lat2) >= s
                && lat1.min(lat2) <= n_;
            if !meets {
                if let Some((x, y)) = pending.take() {
                    let _ = write!(d, "L{} {}", n(x), n(y));
                }
                drawing = false;
                continue;
            }
            if !drawing {
                let (x, y) = project(lat1, lon1);
                let _ = write!(d, "M{} {}", n(x), n(y));
                last = (x, y);
                drawing = true;
            }
            // points closer than a unit to the last one drawn add nothing a
            // reader can see: the path stays small at any scale (compared
            // squared: `hypot` was 12% of a results page's time)
            let (x, y) = project(lat2, lon2);
            let (dx, dy) = (x - last.0, y - last.1);
            if dx * dx + dy * dy >= 1.0 {
                let _ = write!(d, "L{} {}", n(x), n(y));
                last = (x, y);
                pending = None;
            } else {
                pending = Some((x, y));
            }
        }
        if let Some((x, y)) = pending {
            let _ = write!(d, "L{} {}", n(x), n(y));
        }
    }
    if d.is_empty() {
        return d;
    }
    format!(r#"<path {attributes} d="{d}"/>"#)
}

/// The most cities a map names.
const CITY_LABELS: usize = 4;

/// The names of the largest cities in view (from the ZIP list the site
/// geocodes with), each with a dot, where no marker or other name is.
fn city_labels(frame: &Frame, markers: &[(f64, f64)], out: &mut String) {
    let (w, e, s, n_) = frame.extent();
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    for (city, lat, lon) in iop_index::geo::Gazetteer::get()
        .largest_cities_iter((w, e, s, n_))
        .take(40)
    {
        if placed.len() >= CITY_LABELS {
            break;
        }
        let (x, y) = frame.xy(lat, lon);
        // about 6 units a letter at 10 px, starting just right of the dot
        let width = 6.0 * city.chars().count() as f64;
        let (left, right) = (x - 3.0, x + 6.0 + width);
        let (top, bottom) = (y - 8.0, y + 5.0);
        // the cheap tests first: most candidates of a crowded view fail
        // on a marker, and each is checked against every marker
        let inside = right <= WIDTH && top >= 0.0 && bottom <= frame.height - 20.0;
        let clear_of_names = || {
            placed
                .iter()
                .all(|&(px, py, pw)| px + pw < left || px - 3.0 > right || (py - y).abs() > 14.0)
        };
        let clear_of_markers = || {
            markers.iter().all(|&(mx, my)| {
                mx + MARKER < left
                    || mx - MARKER > right
                    || my + MARKER < top
                    || my - MARKER > bottom
            })
        };
        if !(inside && clear_of_names() && clear_of_markers()) {
            continue;
        }
        use Piece::{N, S};
        push_all(
            out,
            &[
                S(r#"<circle class="cd" cx=""#),
                N(x),
                S(r#"" cy=""#),
                N(y),
                S(r#"" r="2"/><text class="c" x=""#),
                N(x + 5.0),
                S(r#"" y=""#),
                N(y + 3.5),
                S(r#"">"#),
            ],
        );
        for c in city.chars() {
            match c {
                '\'' => out.push_str("&#39;"),
                ' ' | '.' | '-' => out.push(c),
                c if c.is_alphanumeric() => out.push(c),
                _ => {}
            }
        }
        out.push_str("</text>");
        placed.push((x, y, width + 9.0));
    }
}

/// Marker positions, moved apart so no marker covers another (programs at
/// one address or one ZIP code centre, or just close together), inside the
/// drawing. Markers are placed in number order: each at its own place when
/// no marker placed before it is nearer than [`SPREAD_NEAR`] (they may
/// touch), else at the first such free spot of a spiral around its place
/// ([`Spiral`]), so that the first results stay where they are and a crowd
/// becomes a sunflower around its first marker. `pinned` (the search
/// origin) is never moved, and markers keep off it. Where no spot of the
/// spiral is free inside the drawing (more markers than it holds), that
/// marker and those after it stay at their places.
///
/// A spot is tested against the markers placed so far four at a time
/// ([`next_near`]), from their coordinates kept apart (x and y): 20
/// markers in a crowded city try a few hundred spots. (Pushing
/// overlapping pairs apart round after round until none overlapped took
/// about 20 rounds of 210 pairs there, and a results page 50,000
/// instructions more.)
fn spread(points: &[(f64, f64)], pinned: Option<(f64, f64)>, height: f64) -> Vec<(f64, f64)> {
    let (low, x_max, y_max) = (MARKER + 1.0, WIDTH - MARKER - 1.0, height - MARKER - 1.0);
    let inside = |(x, y): (f64, f64)| (low..=x_max).contains(&x) && (low..=y_max).contains(&y);
    // the origin and the markers placed so far, then NaN (near nothing),
    // at least three of them, so that every step of `next_near` has its four
    let room = points.len() + 1 + 3;
    let (mut xs, mut ys) = (vec![f64::NAN; room], vec![f64::NAN; room]);
    let mut count = 0;
    if let Some((x, y)) = pinned {
        (xs[0], ys[0]) = (x, y);
        count = 1;
    }
    let mut places = Vec::with_capacity(points.len());
    // once a spiral has no free spot, the drawing is full: the markers
    // after it stay at their places without a search each
    let mut full = false;
    // the spiral of each place, where it stopped: a marker at the same
    // place as one before it (a ZIP code centre, an address) goes on from
    // there, as the spots before are taken still
    let mut spirals: Vec<Spiral> = Vec::new();
    for &(x, y) in points {
        let own = (x.clamp(low, x_max), y.clamp(low, y_max));
        let i = match spirals.iter().position(|s| s.at == own) {
            Some(i) => i,
            None => {
                spirals.push(Spiral::around(own));
                spirals.len() - 1
            }
        };
        let free = if full {
            None
        } else {
            spirals[i].find(|&at| inside(at) && next_near(&xs, &ys, count, 0, at) == count)
        };
        full = free.is_none();
        let place = free.unwrap_or(own);
        (xs[count], ys[count]) = place;
        count += 1;
        places.push(place);
    }
    places
}

/// A marker nearer than this to one placed before it is moved.
const SPREAD_NEAR: f64 = MARKER * 2.0;

/// The scale of [`Spiral`]: neighbouring spots are about a marker's width
/// apart, so a marker moved lands within a few units of the nearest free
/// place. (Spots 0.7 of this apart packed a crowd a little tighter but
/// tried twice the spots; 1.4 as far apart left gaps a marker could have
/// taken.)
const SPIRAL_STEP: f64 = MARKER * 1.0;

/// The spots [`spread`] tries for a marker: out to about 22 markers' radii
/// of its place, more than half the drawing's width.
const SPIRAL_SPOTS: usize = 500;

/// The spots tried for a marker, nearest first: its place, then
/// [`SPIRAL_SPOTS`] spots around it outwards on Vogel's sunflower spiral,
/// the k-th [`SPIRAL_STEP`] times the square root of k from the place and
/// a golden angle around from the one before (evenly spread at every
/// distance).
#[derive(Debug, Clone, Copy)]
struct Spiral {
    at: (f64, f64),
    /// The number of the next spot (0: the place itself).
    k: usize,
    /// The unit vector towards spot k.
    direction: (f64, f64),
}

impl Spiral {
    fn around(at: (f64, f64)) -> Spiral {
        Spiral {
            at,
            k: 0,
            direction: (1.0, 0.0),
        }
    }
}

impl Iterator for Spiral {
    type Item = (f64, f64);

    fn next(&mut self) -> Option<(f64, f64)> {
        const GOLDEN_ANGLE: f64 = 2.399_963_229_728_653;
        let k = self.k;
        if k > SPIRAL_SPOTS {
            return None;
        }
        self.k += 1;
        if k == 0 {
            return Some(self.at);
        }
        let (r, d) = (SPIRAL_STEP * (k as f64).sqrt(), self.direction);
        let (cos, sin) = (GOLDEN_ANGLE.cos(), GOLDEN_ANGLE.sin());
        self.direction = (d.0 * cos - d.1 * sin, d.0 * sin + d.1 * cos);
        Some((self.at.0 + r * d.0, self.at.1 + r * d.1))
    }
}

/// The first marker from `from` on nearer to `at` than [`SPREAD_NEAR`]
/// (`n` when none is), of the `n` markers of `xs` and `ys`, which are
/// followed by three NaN (near nothing). Distances are compared squared
/// (glibc's `hypot` on every pair of every round was 9% of a results page's
/// time), four markers a step ([`near_mask`]).
fn next_near(xs: &[f64], ys: &[f64], n: usize, from: usize, at: (f64, f64)) -> usize {
    let mut j = from;
    while j < n {
        let (Some(x4), Some(y4)) = (xs.get(j..j + 4), ys.get(j..j + 4)) else {
            break;
        };
        let hits = near_mask(x4, y4, at);
        if hits != 0 {
            return (j + hits.trailing_zeros() as usize).min(n);
        }
        j += 4;
    }
    n
}

/// Bit k set when marker k of `xs` and `ys` (four each) is nearer to `at`
/// than [`SPREAD_NEAR`], compared squared: on x86-64, two markers an
/// instruction with SSE2, whose IEEE operations give the bits of the plain
/// arithmetic of the fallback below (a test holds [`spread`] to it).
#[cfg(target_arch = "x86_64")]
fn near_mask(xs: &[f64], ys: &[f64], at: (f64, f64)) -> u32 {
    use std::arch::x86_64::{
        __m128d, _mm_add_pd, _mm_cmplt_pd, _mm_movemask_pd, _mm_mul_pd, _mm_set1_pd, _mm_set_pd,
        _mm_sub_pd,
    };
    let (&[x0, x1, x2, x3, ..], &[y0, y1, y2, y3, ..]) = (xs, ys) else {
        return 0;
    };
    // SAFETY: SSE2 is part of every x86-64 processor (the target's
    // baseline), and these intrinsics read and write no memory
    let hits = unsafe {
        let (ax, ay) = (_mm_set1_pd(at.0), _mm_set1_pd(at.1));
        let limit = _mm_set1_pd(SPREAD_NEAR * SPREAD_NEAR);
        let two = |x: __m128d, y: __m128d| {
            let (dx, dy) = (_mm_sub_pd(x, ax), _mm_sub_pd(y, ay));
            let d2 = _mm_add_pd(_mm_mul_pd(dx, dx), _mm_mul_pd(dy, dy));
            _mm_movemask_pd(_mm_cmplt_pd(d2, limit))
        };
        two(_mm_set_pd(x1, x0), _mm_set_pd(y1, y0))
            | two(_mm_set_pd(x3, x2), _mm_set_pd(y3, y2)) << 2
    };
    hits as u32
}

/// [`near_mask`] where SSE2 is not.
#[cfg(not(target_arch = "x86_64"))]
fn near_mask(xs: &[f64], ys: &[f64], at: (f64, f64)) -> u32 {
    near_mask_plain(xs, ys, at)
}

/// [`near_mask`] one marker at a time, in plain arithmetic.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn near_mask_plain(xs: &[f64], ys: &[f64], at: (f64, f64)) -> u32 {
    xs.iter()
        .zip(ys)
        .take(4)
        .enumerate()
        .fold(0, |hits, (k, (&x, &y))| {
            let (dx, dy) = (x - at.0, y - at.1);
            hits | u32::from(dx * dx + dy * dy < SPREAD_NEAR * SPREAD_NEAR) << k
        })
}

/// A legend symbol, drawn like its marker (shape and fill, not colour alone).
fn swatch(class: &str) -> Markup {
    let shape = match class {
        "o" => r#"<path class="o" d="M12 5l7 7-7 7-7-7z"/>"#,
        _ => r#"<circle cx="12" cy="12" r="8"/>"#,
    };
    html! {
        svg.swatch.map aria-hidden="true" viewBox="0 0 24 24" width="24" height="24" {
            g class=(class) { (maud::PreEscaped(shape)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_of(points: &[(f64, f64)]) -> Frame {
        Frame::fit(points)
    }

    #[test]
    fn the_projection_fits_every_point_inside_the_padding() {
        let points = [(38.58, -121.49), (38.9, -121.1), (38.2, -121.9)];
        let f = frame_of(&points);
        for &(lat, lon) in &points {
            let (x, y) = f.xy(lat, lon);
            assert!((PAD - 0.01..=WIDTH - PAD + 0.01).contains(&x), "{x}");
            assert!((PAD - 0.01..=f.height - PAD + 0.01).contains(&y), "{y}");
        }
        assert!(f.height >= WIDTH * MIN_ASPECT && f.height <= WIDTH * MAX_ASPECT + 2.0 * PAD);
    }

    #[test]
    fn a_mile_is_the_same_length_east_and_north() {
        // at 60 degrees north a degree of longitude is half a degree of latitude
        let f = frame_of(&[(60.0, 10.0), (60.5, 11.0)]);
        let (x0, y0) = f.xy(60.0, 10.0);
        let (x1, _) = f.xy(60.0, 11.0);
        let (_, y1) = f.xy(60.5, 10.0);
        // exactly cos(middle latitude) degrees of latitude: about the same
        let ratio = (x1 - x0) / (y0 - y1);
        assert!(
            (ratio - 60.25f64.to_radians().cos() / 0.5).abs() < 1e-9,
            "{ratio}"
        );
        assert!((ratio - 1.0).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn markers_at_one_place_are_spread_so_none_covers_another() {
        let points = [(100.0, 100.0); 5]
            .into_iter()
            .chain([(100.5, 99.5), (200.0, 50.0)])
            .collect::<Vec<_>>();
        let placed = spread(&points, None, 300.0);
        assert_eq!(placed[6], (200.0, 50.0), "a lone marker stays put");
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                let d = (a.0 - b.0).hypot(a.1 - b.1);
                assert!(d >= MARKER * 1.9, "{a:?} {b:?} {d}");
            }
            assert!(
                (a.0 - 100.0).hypot(a.1 - 100.0) < 4.0 * MARKER || i == 6,
                "{placed:?}"
            );
        }
    }

    /// Crowds at one point, clusters, scattered markers, markers at the
    /// drawing's edges, with and without the origin: every marker inside
    /// the drawing, none nearer than [`SPREAD_NEAR`] to one before it or to
    /// the origin, each at its own place when that is free, and otherwise
    /// no farther from it than the spiral spot that the markers before it
    /// could cover at most.
    #[test]
    fn spread_keeps_markers_apart_and_near_their_places() {
        let mut rng = fastrand::Rng::with_seed(0x5_9ead);
        let near = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1) < SPREAD_NEAR;
        for round in 0..400 {
            let n = rng.usize(1..=30);
            let height = 120.0 + rng.f64() * 60.0;
            let centre = (rng.f64() * WIDTH, rng.f64() * height);
            let spread_of = [0.0, 3.0, 15.0, 60.0, 400.0][round % 5];
            let points: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    if rng.u8(..) < 40 {
                        // a few at exactly the same place
                        centre
                    } else {
                        (
                            centre.0 + (rng.f64() - 0.5) * spread_of,
                            centre.1 + (rng.f64() - 0.5) * spread_of,
                        )
                    }
                })
                .collect();
            let pinned = (round % 3 == 0).then(|| (rng.f64() * WIDTH, rng.f64() * height));
            let placed = spread(&points, pinned, height);
            assert_eq!(placed.len(), n);
            let (low, x_max, y_max) = (MARKER + 1.0, WIDTH - MARKER - 1.0, height - MARKER - 1.0);
            for (i, (&at, &p)) in placed.iter().zip(&points).enumerate() {
                let why = format!("round {round}, marker {i}: {points:?} {pinned:?} -> {placed:?}");
                assert!(
                    (low..=x_max).contains(&at.0) && (low..=y_max).contains(&at.1),
                    "{why}"
                );
                let before = || placed[..i].iter().copied().chain(pinned);
                assert!(!before().any(|b| near(at, b)), "{why}");
                let own = (p.0.clamp(low, x_max), p.1.clamp(low, y_max));
                if !before().any(|b| near(own, b)) {
                    assert_eq!(at, own, "{why}");
                }
                // the markers before it and the origin cover at most
                // i + 1 discs of SPREAD_NEAR: the spiral finds a free
                // spot within their area (and the drawing's edges)
                let covered = (i + 1) as f64 * (2.0 * SPREAD_NEAR).powi(2);
                let reach = (covered / std::f64::consts::PI).sqrt() + 2.0 * SPREAD_NEAR;
                assert!((at.0 - own.0).hypot(at.1 - own.1) <= reach * 2.0, "{why}");
            }
            assert_eq!(
                placed,
                spread_plainly(&points, pinned, height),
                "round {round}: {points:?} {pinned:?}"
            );
        }
    }

    /// [`spread`] without its shortcuts: each marker's spiral searched
    /// from its own place, one placed marker at a time.
    fn spread_plainly(
        points: &[(f64, f64)],
        pinned: Option<(f64, f64)>,
        height: f64,
    ) -> Vec<(f64, f64)> {
        let (low, x_max, y_max) = (MARKER + 1.0, WIDTH - MARKER - 1.0, height - MARKER - 1.0);
        let mut placed: Vec<(f64, f64)> = pinned.into_iter().collect();
        let mut full = false;
        for &(x, y) in points {
            let own = (x.clamp(low, x_max), y.clamp(low, y_max));
            let free = |at: (f64, f64)| {
                (low..=x_max).contains(&at.0)
                    && (low..=y_max).contains(&at.1)
                    && !placed.iter().any(|b| {
                        let (dx, dy) = (at.0 - b.0, at.1 - b.1);
                        dx * dx + dy * dy < SPREAD_NEAR * SPREAD_NEAR
                    })
            };
            let spot = if full {
                None
            } else {
                Spiral::around(own).find(|&at| free(at))
            };
            full = spot.is_none();
            placed.push(spot.unwrap_or(own));
        }
        placed.split_off(usize::from(pinned.is_some()))
    }

    #[test]
    fn a_full_drawing_leaves_the_markers_that_do_not_fit_at_their_places() {
        // a drawing 320 by 60 holds a few dozen markers 20 apart, not 60
        let own = (160.0, 30.0);
        let placed = spread(&[own; 60], None, 60.0);
        let fitted = 1 + placed[1..].iter().take_while(|&&p| p != own).count();
        assert!((10..60).contains(&fitted), "{fitted} fitted: {placed:?}");
        assert_eq!(placed[0], own, "the first stays");
        for (i, a) in placed[..fitted].iter().enumerate() {
            for b in &placed[i + 1..fitted] {
                assert!((a.0 - b.0).hypot(a.1 - b.1) >= SPREAD_NEAR, "{placed:?}");
            }
        }
        assert!(placed[fitted..].iter().all(|&p| p == own), "{placed:?}");
    }

    /// Four at a time, the same answers as one at a time: near, far, on
    /// the edge (exactly `SPREAD_NEAR` apart is not near), NaN.
    #[test]
    fn near_mask_is_the_plain_comparison() {
        let mut rng = fastrand::Rng::with_seed(0x4ea5);
        for _ in 0..20_000 {
            let at = (rng.f64() * WIDTH, rng.f64() * 180.0);
            let mut coordinate = |a: f64| match rng.u8(..6) {
                0 => a + SPREAD_NEAR,
                1 => a - SPREAD_NEAR * rng.f64(),
                2 => f64::NAN,
                3 => a,
                _ => a + (rng.f64() - 0.5) * 4.0 * SPREAD_NEAR,
            };
            let xs: Vec<f64> = (0..4).map(|_| coordinate(at.0)).collect();
            let ys: Vec<f64> = (0..4).map(|_| coordinate(at.1)).collect();
            assert_eq!(
                near_mask(&xs, &ys, at),
                near_mask_plain(&xs, &ys, at),
                "{xs:?} {ys:?} {at:?}"
            );
        }
        let on_edge = [SPREAD_NEAR, 0.0, 3.0, f64::NAN];
        assert_eq!(near_mask(&on_edge, &[0.0; 4], (0.0, 0.0)), 0b0110);
    }

    #[test]
    fn markers_keep_off_the_search_origin_which_stays_put() {
        let placed = spread(
            &[(150.0, 100.0), (150.0, 100.0)],
            Some((150.0, 100.0)),
            300.0,
        );
        assert_eq!(placed.len(), 2);
        for q in &placed {
            assert!(
                (q.0 - 150.0).hypot(q.1 - 100.0) >= MARKER * 1.7,
                "{placed:?}"
            );
        }
    }

    /// The tile of `z` that holds (lat, lon).
    fn tile_at(z: u32, lat: f64, lon: f64) -> (u32, u32) {
        let side = 360.0 / f64::from(1u32 << z);
        (
            ((lon + 180.0) / side).floor() as u32,
            ((90.0 - lat) / side).floor() as u32,
        )
    }

    #[test]
    fn line_tiles_draw_the_state_lines_inside_the_tile_only() {
        assert!(BASEMAP.len() > 100, "{} polylines", BASEMAP.len());
        // Philadelphia: the Delaware River is the Pennsylvania-New Jersey line
        let (x, y) = tile_at(9, 39.95, -75.15);
        let tile = line_tile(LineLayer::States, 9, x, y).unwrap();
        assert!(tile.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            tile.contains(&format!("<path {STATE_LINE_ATTRIBUTES} d=\"M")),
            "{tile}"
        );
        assert!(!tile.contains("<style") && !tile.contains("<script"));
        // the middle of Kansas: no state line within a few miles
        let (x, y) = tile_at(11, 38.5, -98.5);
        let tile = line_tile(LineLayer::States, 11, x, y).unwrap();
        assert!(!tile.contains("<path"), "{tile}");
        // out of range
        assert_eq!(
            line_tile(LineLayer::States, LINE_TILE_MAX_ZOOM + 1, 0, 0),
            None
        );
        assert_eq!(line_tile(LineLayer::States, 3, 8, 0), None);
        assert_eq!(line_tile(LineLayer::States, 3, 0, 4), None);
    }

    #[test]
    fn a_line_crossing_two_tiles_reaches_the_edge_of_both() {
        // every subpath of a tile that is not closed inside it ends within
        // a unit of the tile's edge or at a point of the line inside it:
        // the simplification never leaves a gap at the seam
        for (z, lat, lon) in [(9, 39.95, -75.15), (7, 38.9, -77.0), (12, 40.7, -74.0)] {
            let (x, y) = tile_at(z, lat, lon);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1)] {
                let tile = line_tile(LineLayer::Counties, z, x + dx, y + dy).unwrap();
                let ends = tile
                    .split(" d=\"")
                    .skip(1)
                    .flat_map(|d| d[..d.find('"').unwrap()].split('M').skip(1))
                    .map(|sub| {
                        let last = sub.rsplit('L').next().unwrap();
                        let (a, b) = last.split_once(' ').unwrap();
                        (a.parse::<f64>().unwrap(), b.parse::<f64>().unwrap())
                    })
                    .collect::<Vec<_>>();
                assert!(!ends.is_empty(), "lines in {z}/{x}/{y}");
                let outside = |(a, b): (f64, f64)| {
                    !(0.0..=LINE_TILE_UNITS).contains(&a) || !(0.0..=LINE_TILE_UNITS).contains(&b)
                };
                // most subpaths leave the tile: their last point is past
                // the edge (the SVG viewport cuts them there)
                assert!(ends.iter().any(|&e| outside(e)), "{z}/{x}/{y}");
            }
        }
    }

    #[test]
    fn county_lines_are_drawn_on_a_metro_view_but_not_on_a_large_one() {
        assert!(COUNTIES.len() > 2000, "{} polylines", COUNTIES.len());
        let ctx = SiteContext {
            sample: false,
            listings: 1,
            built_at: String::new(),
            from_providers: 0,
            lang: crate::Lang::En,
            path: String::new(),
            public_url: String::new(),
        };
        let marker = |lat: f64, lon: f64| MapMarker {
            number: 1,
            id: "0123456789ab".into(),
            lat,
            lon,
            exact: true,
        };
        let origin = |lat: f64, lon: f64| Origin {
            label: "x".into(),
            lat,
            lon,
        };
        // Philadelphia and its suburbs: Philadelphia, Montgomery, Delaware
        // and Bucks counties meet there, under the state line
        let metro = draw(
            &ctx,
            &[marker(39.96, -75.19)],
            0,
            Some(&origin(39.95, -75.19)),
            25.0,
            None,
        )
        .into_string();
        let prefix = line_tile_prefix();
        assert!(
            metro.contains(&format!("<image href=\"{prefix}/counties/")),
            "{metro}"
        );
        assert!(!metro.contains("/states/"), "{metro}");
        assert!(metro.contains("state and county lines"), "{metro}");
        let tiles: Vec<&str> = metro.split("<image href=\"").skip(1).collect();
        let (x, y, z) = {
            let path = &tiles[0][prefix.len() + "/counties/".len()..tiles[0].find(".svg").unwrap()];
            let v: Vec<u32> = path.split('/').map(|p| p.parse().unwrap()).collect();
            (v[1], v[2], v[0])
        };
        let tile = line_tile(LineLayer::Counties, z, x, y).unwrap();
        let county = tile.find(COUNTY_LINE_ATTRIBUTES).expect(&tile);
        assert!(county < tile.find(STATE_LINE_ATTRIBUTES).unwrap(), "{tile}");
        // half the country: state lines only
        let large = draw(
            &ctx,
            &[marker(38.0, -88.0)],
            0,
            Some(&origin(38.0, -88.0)),
            500.0,
            None,
        )
        .into_string();
        assert!(
            large.contains("/states/") && !large.contains("/counties/"),
            "{large}"
        );
        assert!(large.contains("The map shows state lines"), "{large}");
        // the page carries the tiles' references, not their lines
        assert!(metro.len() < 4_000, "{}", metro.len());
        assert!(!metro.contains("<path class=\"k\"") && !metro.contains("<path class=\"b\""));
    }

    #[test]
    fn line_tiles_cover_the_drawing_and_fit_the_projection_exactly() {
        for points in [
            vec![(39.95, -75.19), (40.2, -74.9), (39.7, -75.5)],
            vec![(30.0, -100.0), (45.0, -75.0)],
            vec![(61.2, -149.9), (61.21, -149.89)],
        ] {
            let f = frame_of(&points);
            let html = line_tiles(&f, LineLayer::States);
            let attr = |tag: &str, name: &str| -> f64 {
                let v = &tag[tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
                v[..v.find('"').unwrap()].parse().unwrap()
            };
            let (mut left, mut top, mut right, mut bottom) =
                (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for tag in html.split("<image ").skip(1) {
                let (x, y, w, h) = (
                    attr(tag, "x"),
                    attr(tag, "y"),
                    attr(tag, "width"),
                    attr(tag, "height"),
                );
                assert!(
                    (LINE_TILE_UNITS / 2.0 - 0.2..=LINE_TILE_UNITS + 0.2).contains(&w),
                    "{tag}"
                );
                (left, top, right, bottom) =
                    (left.min(x), top.min(y), right.max(x + w), bottom.max(y + h));
                // the tile's corner is where the projection puts its
                // longitude and latitude
                let path = &tag[tag.find("/states/").unwrap() + 8..tag.find(".svg").unwrap()];
                let v: Vec<u32> = path.split('/').map(|p| p.parse().unwrap()).collect();
                let side = 360.0 / f64::from(1u32 << v[0]);
                let (cx, cy) = f.xy(
                    90.0 - f64::from(v[2]) * side,
                    f64::from(v[1]) * side - 180.0,
                );
                assert!((cx - x).abs() <= 0.051 && (cy - y).abs() <= 0.051, "{tag}");
            }
            assert!(
                left <= 0.0 && top <= 0.0 && right >= WIDTH && bottom >= f.height,
                "{html}"
            );
        }
    }

    #[test]
    fn a_tile_template_is_an_http_url_with_its_three_placeholders() {
        let t = TileServer::new("https://tile.example.org/{z}/{x}/{y}.png?k=a&l=b", "").unwrap();
        assert_eq!(t.origin(), "https://tile.example.org");
        assert_eq!(t.credit, "tile.example.org");
        assert_eq!(
            t.url(12, 1193, 1552),
            "https://tile.example.org/12/1193/1552.png?k=a&l=b"
        );
        let t = TileServer::new(
            "http://127.0.0.1:8080/t/{z}/{x}/{y}",
            "© OpenStreetMap contributors",
        )
        .unwrap();
        assert_eq!(t.origin(), "http://127.0.0.1:8080");
        assert_eq!(t.credit, "© OpenStreetMap contributors");
        for (bad, why) in [
            (
                "tile.example.org/{z}/{x}/{y}.png",
                TileTemplateError::NotHttp,
            ),
            (
                "ftp://tile.example.org/{z}/{x}/{y}",
                TileTemplateError::NotHttp,
            ),
            ("https:///{z}/{x}/{y}", TileTemplateError::NotHttp),
            (
                "https://{s}.tile.example.org/{z}/{x}/{y}",
                TileTemplateError::NotHttp,
            ),
            (
                "https://tile.example.org/{z}/{x}.png",
                TileTemplateError::MissingPlaceholder("{y}"),
            ),
            (
                "https://tile.example.org/{z}/{x}/{y}; script-src *",
                TileTemplateError::BadCharacter(';'),
            ),
            (
                "https://tile.example.org/{z}/{x}/{y}\"",
                TileTemplateError::BadCharacter('"'),
            ),
        ] {
            assert_eq!(TileServer::new(bad, ""), Err(why), "{bad}");
        }
    }

    #[test]
    fn street_tiles_cover_the_map_at_a_readable_zoom_and_replace_the_basemap() {
        let ctx = SiteContext {
            sample: false,
            listings: 1,
            built_at: String::new(),
            from_providers: 0,
            lang: crate::Lang::En,
            path: String::new(),
            public_url: String::new(),
        };
        let marker = MapMarker {
            number: 1,
            id: "0123456789ab".into(),
            lat: 39.96,
            lon: -75.19,
            exact: true,
        };
        let origin = Origin {
            label: "Philadelphia, PA 19104".into(),
            lat: 39.95,
            lon: -75.19,
        };
        let server =
            TileServer::new("https://tile.example.org/{z}/{x}/{y}.png?a=1&b=2", "").unwrap();
        let html = draw(
            &ctx,
            std::slice::from_ref(&marker),
            0,
            Some(&origin),
            25.0,
            Some(&server),
        )
        .into_string();
        // a 50-mile circle on a 320-unit map: tiles of zoom 8 or 9, each
        // between half a tile and a tile wide, covering the whole drawing
        let tiles: Vec<&str> = html.split("<image ").skip(1).collect();
        assert!((2..=16).contains(&tiles.len()), "{} tiles", tiles.len());
        let attr = |tag: &str, name: &str| -> f64 {
            let v = &tag[tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
            v[..v.find('"').unwrap()].parse().unwrap()
        };
        let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for tag in &tiles {
            assert!(tag.starts_with("href=\"https://tile.example.org/"), "{tag}");
            assert!(tag.contains(".png?a=1&amp;b=2\""), "{tag}");
            let (x, y, w, h) = (
                attr(tag, "x"),
                attr(tag, "y"),
                attr(tag, "width"),
                attr(tag, "height"),
            );
            assert!(
                (TILE_PIXELS / 2.0..=TILE_PIXELS + 1.0).contains(&w),
                "{tag}"
            );
            assert!(
                (h / w - 1.0).abs() < 0.05,
                "nearly square at this latitude: {tag}"
            );
            (left, top, right, bottom) =
                (left.min(x), top.min(y), right.max(x + w), bottom.max(y + h));
        }
        assert!(
            left <= 0.0 && top <= 0.0 && right >= WIDTH,
            "{left} {top} {right}"
        );
        // tiles under the markers: drawn first, and no county or state path
        assert!(html.find("<image").unwrap() < html.find("<a href=\"#p-").unwrap());
        assert!(!html.contains("class=\"k\"") && !html.contains("class=\"b\""));
        assert!(
            html.contains("Street map tiles: tile.example.org."),
            "{html}"
        );
        // without a server, nothing from elsewhere: the basemap's own tiles
        let html = draw(&ctx, &[marker], 0, Some(&origin), 25.0, None).into_string();
        assert!(!html.contains("tile.example"), "{html}");
        assert_eq!(
            html.matches("<image ").count(),
            html.matches(&format!("<image href=\"{}/", line_tile_prefix()))
                .count(),
            "{html}"
        );
        assert!(
            html.contains("The map shows state and county lines"),
            "{html}"
        );
    }

    #[test]
    fn the_search_circle_is_in_view_and_markers_link_to_their_cards() {
        let ctx = SiteContext {
            sample: false,
            listings: 1,
            built_at: String::new(),
            from_providers: 0,
            lang: crate::Lang::En,
            path: String::new(),
            public_url: String::new(),
        };
        let marker = MapMarker {
            number: 1,
            id: "0123456789ab".into(),
            lat: 39.96,
            lon: -75.19,
            exact: true,
        };
        let origin = Origin {
            label: "Philadelphia, PA 19104".into(),
            lat: 39.95,
            lon: -75.19,
        };
        let html = results_map(&ctx, &[marker], 0, Some(&origin), 25.0).into_string();
        assert!(
            html.contains("<a href=\"#p-0123456789ab\" tabindex=\"-1\">"),
            "{html}"
        );
        let at = html.find("<circle class=\"r\"").unwrap();
        let tag = &html[at..at + html[at..].find("/>").unwrap()];
        let num = |name: &str| -> f64 {
            let v = &tag[tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2..];
            v[..v.find('"').unwrap()].parse().unwrap()
        };
        let (cx, cy, r) = (num("cx"), num("cy"), num("r"));
        let height: f64 = {
            let v = &html[html.find("viewBox=\"0 0 ").unwrap() + 13..];
            let v = &v[..v.find('"').unwrap()];
            v.split(' ').nth(1).unwrap().parse().unwrap()
        };
        assert!(cx - r >= -0.5 && cx + r <= WIDTH + 0.5, "{tag}");
        assert!(
            cy - r >= -0.5 && cy + r <= height + 0.5,
            "{tag} in {height}"
        );
    }

    #[test]
    fn svg_numbers_have_one_decimal_and_no_trailing_zero() {
        let cases = [
            (12.0, "12"),
            (12.04, "12"),
            (-3.46, "-3.5"),
            (0.04, "0"),
            (-0.04, "0"),
            (319.96, "320"),
            (7.25001, "7.3"),
        ];
        for (x, written) in cases {
            assert_eq!(n(x).to_string(), written, "{x}");
        }
        // past what the tenths' integer holds: the float formatter's
        assert_eq!(n(1e300).to_string(), format!("{:.1}", 1e300));
        assert_eq!(n(f64::NAN).to_string(), "NaN");
    }

    #[test]
    fn scale_bars_are_round_numbers() {
        let f = frame_of(&[(38.0, -121.0), (39.0, -120.0)]);
        let m = scale_miles(&f);
        assert!([1.0, 2.0, 5.0, 10.0, 20.0, 50.0].contains(&m), "{m}");
        assert!(f.miles_to_units(m) <= WIDTH / 4.0 + 0.01);
    }
}
