//! What reading one page may cost: tree depth, nodes and time.
//!
//! A hostile (or broken) page must not stop the crawl for every other
//! source. Deeply nested markup made the recursive tree walk overflow the
//! stack, and html5ever's tree builder looks through the stack of open
//! elements for every tag, so parsing time grows with the square of the
//! nesting depth (16,000 nested `<div>`: 0.9 s; 500,000: over two minutes).
//!
//! [`parse`] is the one way extraction parses a page: the text is fed to
//! html5ever in chunks of [`CHUNK_BYTES`] through a sink that counts nodes
//! and the depth at which each element is appended, and parsing stops at
//! the first chunk that goes over the [`Budget`]. After parsing, the tree's
//! real depth is measured without recursion (the tree builder may move
//! nodes), so everything that walks the parsed tree afterwards walks at most
//! [`Budget::max_depth`] levels. A page over budget is a [`PageError`]: an
//! error of that page, counted in the crawl report, never of the crawl.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use scraper::{Html, HtmlTreeSink};

/// Text fed to the parser at a time; the budget is checked between chunks.
pub const CHUNK_BYTES: usize = 4096;

/// The most a page may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Deepest element nesting (WebKit's parser caps the DOM at 512 levels;
    /// real provider pages stay under about 60).
    pub max_depth: usize,
    /// Elements, text runs and comments in the document.
    pub max_nodes: usize,
    /// CPU time of the reading thread for parsing and extracting one page
    /// (not wall time: a page costs what its thread computes, so a machine
    /// busy with other work does not make a good page fail).
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_depth: 512,
            max_nodes: 200_000,
            max_time: Duration::from_secs(10),
        }
    }
}

/// Why a page was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// Elements nested deeper than the budget's depth.
    #[error("markup nested deeper than {max} levels")]
    TooDeep {
        /// The budget's maximum depth, in elements.
        max: usize,
    },
    /// More nodes than the budget allows.
    #[error("more than {max} nodes of markup")]
    TooManyNodes {
        /// The budget's maximum number of nodes.
        max: usize,
    },
    /// Parsing and extraction ran past the budget's CPU time.
    #[error("parsing and extraction took more than {} s of CPU time", max.as_secs_f32())]
    TooSlow {
        /// The budget's maximum time.
        max: Duration,
    },
}

impl PageError {
    /// A short stable name for crawl reports ("errors by kind").
    pub fn kind(&self) -> &'static str {
        match self {
            PageError::TooDeep { .. } => "page_too_deep",
            PageError::TooManyNodes { .. } => "page_too_many_nodes",
            PageError::TooSlow { .. } => "page_too_slow",
        }
    }
}

/// The reading thread's CPU clock when a page's reading started, to check
/// against [`Budget::max_time`] between the stages of extraction.
///
/// Thread CPU time (`cpu_time::ThreadTime`, the OS's per-thread clock) is
/// what the page costs; it is read on the thread that started it, so a
/// `Deadline` is neither `Send` nor `Sync`, as a page's reading never
/// leaves its thread (scraper's documents are not `Send` either).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    started: cpu_time::ThreadTime,
    max: Duration,
}

impl Deadline {
    /// Start counting this thread's CPU time against `budget.max_time`.
    pub fn start(budget: &Budget) -> Deadline {
        Deadline {
            started: cpu_time::ThreadTime::now(),
            max: budget.max_time,
        }
    }

    /// `Err(TooSlow)` once this thread has spent more than the budget's CPU
    /// time since [`Deadline::start`].
    pub fn check(&self) -> Result<(), PageError> {
        if self.started.elapsed() > self.max {
            Err(PageError::TooSlow { max: self.max })
        } else {
            Ok(())
        }
    }
}

/// Counts shared between the sink (inside the parser) and [`parse`].
#[derive(Default)]
struct Tally {
    nodes: Cell<usize>,
    deepest: Cell<usize>,
}

/// scraper's sink, with each appended node counted and its depth recorded.
struct CountingSink {
    inner: HtmlTreeSink,
    depth: RefCell<HashMap<NodeId, usize>>,
    tally: Rc<Tally>,
}

impl CountingSink {
    fn appended(&self, parent: &NodeId, child: &NodeOrText<NodeId>) {
        let tally = &self.tally;
        tally.nodes.set(tally.nodes.get() + 1);
        if let NodeOrText::AppendNode(child) = child {
            let mut depth = self.depth.borrow_mut();
            let d = depth.get(parent).copied().unwrap_or(0) + 1;
            depth.insert(*child, d);
            tally.deepest.set(tally.deepest.get().max(d));
        }
    }
}

impl TreeSink for CountingSink {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Html {
        self.inner.finish()
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.appended(parent, &child);
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.appended(prev_element, &child);
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.tally.nodes.set(self.tally.nodes.get() + 1);
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }
}

/// Parse `page` as an HTML document within `budget` (time counted from
/// `deadline`). Stack use does not grow with the page: the parser is
/// iterative and the depth is measured without recursion.
pub fn parse(page: &str, budget: &Budget, deadline: &Deadline) -> Result<Html, PageError> {
    let tally = Rc::new(Tally::default());
    let sink = CountingSink {
        inner: HtmlTreeSink::new(Html::new_document()),
        depth: RefCell::new(HashMap::new()),
        tally: tally.clone(),
    };
    let mut parser = html5ever::parse_document(sink, Default::default());
    let over = |tally: &Tally| {
        if tally.deepest.get() > budget.max_depth {
            Err(PageError::TooDeep {
                max: budget.max_depth,
            })
        } else if tally.nodes.get() > budget.max_nodes {
            Err(PageError::TooManyNodes {
                max: budget.max_nodes,
            })
        } else {
            deadline.check()
        }
    };
    let mut rest = page;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (chunk, next) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(chunk));
        rest = next;
        over(&tally)?;
    }
    let document = parser.finish();
    over(&tally)?;
    // the tree builder moves nodes (misnested tags, tables): measure the
    // tree itself, iteratively
    let mut depth = 0usize;
    for edge in document.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(_) => {
                depth += 1;
                if depth > budget.max_depth + 1 {
                    return Err(PageError::TooDeep {
                        max: budget.max_depth,
                    });
                }
            }
            ego_tree::iter::Edge::Close(_) => depth -= 1,
        }
    }
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(tag: &str, depth: usize) -> String {
        format!(
            "<html><body>{}<p>We offer an IOP.</p>{}</body></html>",
            format!("<{tag}>").repeat(depth),
            format!("</{tag}>").repeat(depth)
        )
    }

    #[test]
    fn depth_and_nodes_are_bounded() {
        let budget = Budget::default();
        let deadline = Deadline::start(&budget);
        assert!(parse(&nested("div", 100), &budget, &deadline).is_ok());
        assert_eq!(
            parse(&nested("div", 600), &budget, &deadline).unwrap_err(),
            PageError::TooDeep { max: 512 }
        );
        let small = Budget {
            max_nodes: 1_000,
            ..budget
        };
        let wide = format!("<ul>{}</ul>", "<li>x</li>".repeat(2_000));
        assert_eq!(
            parse(&wide, &small, &deadline).unwrap_err(),
            PageError::TooManyNodes { max: 1_000 }
        );
        // A page that costs more CPU than the budget: a zero budget is spent
        // by the first chunk's parsing.
        let none = Budget {
            max_time: Duration::ZERO,
            ..budget
        };
        let late = Deadline::start(&none);
        assert!(matches!(
            parse(&"<p>late</p>".repeat(1_000), &none, &late),
            Err(PageError::TooSlow { .. })
        ));
        // Time spent asleep (or waiting for a busy machine's CPU) is not the
        // page's: a thread that sleeps past the budget's wall time is within it.
        let short = Budget {
            max_time: Duration::from_millis(50),
            ..budget
        };
        let deadline = Deadline::start(&short);
        std::thread::sleep(Duration::from_millis(120));
        assert!(parse("<p>on time</p>", &short, &deadline).is_ok());
    }
}
