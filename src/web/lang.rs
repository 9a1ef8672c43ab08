//! The site's languages in URLs: every HTML page is served in English at its
//! path (`/search?near=95814`) and in Spanish under `/es` (`/es/search?...`).
//!
//! [`serve_language`] wraps the whole [`Router`](axum::Router) (it must run
//! before routing): it strips `/es` from the request's URI, so one route
//! serves both languages, and records the request's [`Lang`] and its
//! English-form path and query ([`RequestLang`]) for the duration of the
//! request, where [`current`] reads it: that is how `AppState::site()`
//! renders every page (and error page) in the request's language without
//! each handler passing it along.
//!
//! The JSON API, `/static/`, `/healthz`, the CSV exports and the SEO files
//! (sitemap, robots.txt, OpenSearch) are not pages: under `/es` they are not
//! found (the Spanish 404 page).

use axum::extract::Request;
use axum::http::{header, HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::Response;
use iop_templates::Lang;

/// The language of the request being answered and its path in English form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestLang {
    pub lang: Lang,
    /// Path and query without the language prefix (`/search?near=95814`).
    pub path: String,
    /// The site's public base URL as this request sees it (see
    /// [`super::seo::public_url`]).
    pub public_url: String,
}

tokio::task_local! {
    static CURRENT: RequestLang;
}

/// The language of the request being answered (English outside a request).
pub fn current() -> RequestLang {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// Run `f` on the blocking pool (searches, exports: CPU work that must not
/// hold an async worker), within the language of the request being answered.
pub async fn blocking<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let current = current();
    tokio::task::spawn_blocking(move || CURRENT.sync_scope(current, f))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// `path` as a path on this site: one leading `/`, never `//host` or
/// `/\host`, which a browser reads as another site.
fn on_site(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

/// Paths that are not pages: served in one form only, never under `/es`.
fn is_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 3] = ["/api/", "/static/", "/sitemaps/"];
    const NOT_PAGE_FILES: [&str; 6] = [
        "/healthz",
        "/sitemap.xml",
        "/robots.txt",
        "/opensearch.xml",
        "/search.csv",
        "/shortlist.csv",
    ];
    !NOT_PAGES.iter().any(|p| path.starts_with(p)) && !NOT_PAGE_FILES.contains(&path)
}

/// The language a path is in and the path without its prefix: `/es` and
/// `/es/...` are Spanish; `/es` alone is the Spanish home page.
/// The path answered is always a path on this site ([`on_site`]): a page
/// links to itself in the other language with it.
pub fn split_lang(path: &str) -> (Lang, String) {
    match path.strip_prefix(Lang::Es.prefix()) {
        Some("") => (Lang::Es, "/".to_string()),
        Some(rest) if rest.starts_with('/') => (Lang::Es, on_site(rest)),
        _ => (Lang::En, on_site(path)),
    }
}

/// The middleware: see the module documentation.
pub async fn serve_language(mut request: Request, next: Next) -> Response {
    let (lang, path) = split_lang(request.uri().path());
    let query = request.uri().query().map(str::to_string);
    let path_and_query = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    if lang != Lang::En {
        // `/es/api/...` and the like are no pages: route them to the 404 page
        let routed = if is_page(&path) {
            path_and_query.clone()
        } else {
            "/es-not-a-page".to_string()
        };
        let mut parts = request.uri().clone().into_parts();
        parts.path_and_query = routed.parse().ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    let current = RequestLang {
        lang,
        path: path_and_query,
        public_url: super::seo::public_url(request.headers()),
    };
    let mut response = CURRENT.scope(current, next.run(request)).await;
    if lang != Lang::En {
        response.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_split_off() {
        assert_eq!(split_lang("/es"), (Lang::Es, "/".into()));
        assert_eq!(split_lang("/es/"), (Lang::Es, "/".into()));
        assert_eq!(split_lang("/es/search"), (Lang::Es, "/search".into()));
        assert_eq!(split_lang("/search"), (Lang::En, "/search".into()));
        assert_eq!(split_lang("/essay"), (Lang::En, "/essay".into()));
        // crafted paths stay paths on this site
        assert_eq!(
            split_lang("/es//evil.example"),
            (Lang::Es, "/evil.example".into())
        );
        assert_eq!(
            split_lang("/es/\\evil.example"),
            (Lang::Es, "/evil.example".into())
        );
        assert_eq!(
            split_lang("//evil.example"),
            (Lang::En, "/evil.example".into())
        );
        assert_eq!(
            split_lang("/\\/evil.example"),
            (Lang::En, "/evil.example".into())
        );
        assert!(!is_page("/api/v1/search"));
        assert!(!is_page("/robots.txt"));
        assert!(is_page("/programs/0123456789ab"));
    }
}
