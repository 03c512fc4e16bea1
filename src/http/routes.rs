//! The routes, registered in groups by the leading part of their path.
//!
//! actix tries a request against its resources in the order they were registered, and a
//! path with a `{parameter}` is a regular expression: a request paid for every expression
//! registered before its own (11 % of a JSON read on the national data). Here the routes
//! are grouped under one scope per leading part (`/api/v1/schools`, `/submissions`): a
//! scope's static prefix is a string comparison, so a request tries only the expressions of
//! its own group. Within a group the routes keep the order they were given in, which is
//! what decides between overlapping patterns (`…/evaluation/seal` before `…/{ref}`).
//!
//! A request that enters a scope and matches none of its routes gets the application's
//! default answer (404), as it would without the scope.

use actix_web::{Resource, Route, web};

/// Registers one route or resource at its path within the group's scope.
type Register = Box<dyn FnOnce(&mut web::ServiceConfig, &str)>;

/// Every route of the application, by group, in the order given.
#[derive(Default)]
pub struct Routes {
    /// (the group's prefix, or "" for a route registered as it is; its routes by the rest
    /// of their path)
    groups: Vec<(String, Vec<(String, Register)>)>,
}

impl Routes {
    /// One route at `path` (its method is the route's guard, as with `App::route`).
    pub fn route(&mut self, path: &str, route: Route) -> &mut Self {
        self.add(
            path,
            Box::new(move |cfg, rest| {
                cfg.route(rest, route);
            }),
        )
    }

    /// A resource at `path`, built for the rest of the path within its group.
    pub fn resource(
        &mut self,
        path: &str,
        build: impl FnOnce(&str) -> Resource + 'static,
    ) -> &mut Self {
        self.add(
            path,
            Box::new(move |cfg, rest| {
                cfg.service(build(rest));
            }),
        )
    }

    /// Hands these routes to a function that adds some.
    pub fn configure(&mut self, add: impl FnOnce(&mut Routes)) -> &mut Self {
        add(self);
        self
    }

    fn add(&mut self, path: &str, register: Register) -> &mut Self {
        let (prefix, rest) = split(path);
        match self.groups.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, routes)) => routes.push((rest.to_owned(), register)),
            None => self
                .groups
                .push((prefix.to_owned(), vec![(rest.to_owned(), register)])),
        }
        self
    }

    /// Registers every group as a scope of the application.
    pub fn register(self, cfg: &mut web::ServiceConfig) {
        for (prefix, routes) in self.groups {
            if prefix.is_empty() {
                for (path, register) in routes {
                    register(cfg, &path);
                }
                continue;
            }
            cfg.service(web::scope(&prefix).configure(move |scope| {
                for (rest, register) in routes {
                    register(scope, &rest);
                }
            }));
        }
    }
}

/// A path's group prefix and the rest: `/api/v1/schools/{id}` → (`/api/v1/schools`,
/// `/{id}`), `/queue` → (`/queue`, ``). A prefix is made of fixed segments only; a path
/// whose leading segments hold a parameter (or `/`) is registered as it is (prefix "").
fn split(path: &str) -> (&str, &str) {
    let depth = if path.starts_with("/api/v1/") { 3 } else { 1 };
    let mut end = path.len();
    let mut seen = 0;
    for (i, c) in path.char_indices().skip(1) {
        if c == '/' {
            seen += 1;
            if seen == depth {
                end = i;
                break;
            }
        }
    }
    let prefix = &path[..end];
    if seen + 1 < depth || prefix.len() <= 1 || prefix.contains('{') {
        return ("", path);
    }
    (prefix, &path[end..])
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn paths_are_grouped_by_their_fixed_leading_segments() {
        assert_eq!(split("/api/v1/schools/{id}"), ("/api/v1/schools", "/{id}"));
        assert_eq!(split("/api/v1/schools"), ("/api/v1/schools", ""));
        assert_eq!(split("/api/docs/{file}"), ("/api", "/docs/{file}"));
        assert_eq!(split("/queue"), ("/queue", ""));
        assert_eq!(split("/schools/{id}/peers"), ("/schools", "/{id}/peers"));
        assert_eq!(split("/healthz"), ("/healthz", ""));
        assert_eq!(split("/"), ("", "/"));
        assert_eq!(split("/{any}/x"), ("", "/{any}/x"));
    }
}
