//! The folders of a rendered environment and what each one's
//! kustomization.yaml says: the files it lists and the namespace it sets.

/// The namespace a folder's kustomization sets, from the objects listed
/// in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Cluster-scoped objects only: no namespace.
    Cluster,
    /// Every namespaced object is in this namespace: the kustomization
    /// sets it.
    One(String),
    /// Objects of several namespaces (an app's raw manifest kept in
    /// another namespace): the kustomization sets none, so Kustomize
    /// moves no object, and each keeps the namespace it names.
    Several,
}

impl Scope {
    /// The scope of a folder that holds objects of `self` and of `other`.
    fn with(self, other: Scope) -> Scope {
        match (self, other) {
            (Scope::Cluster, s) | (s, Scope::Cluster) => s,
            (Scope::One(a), Scope::One(b)) if a == b => Scope::One(a),
            _ => Scope::Several,
        }
    }

    /// The kustomization's `namespace`.
    pub(crate) fn namespace(&self) -> Option<String> {
        match self {
            Scope::One(ns) => Some(ns.clone()),
            Scope::Cluster | Scope::Several => None,
        }
    }

    /// Whether the folder holds namespaced objects.
    pub(crate) fn is_namespaced(&self) -> bool {
        !matches!(self, Scope::Cluster)
    }
}

/// One folder: its scope and the files it lists.
#[derive(Debug)]
pub(crate) struct Folder {
    pub(crate) scope: Scope,
    pub(crate) files: Vec<String>,
}

impl Folder {
    fn new() -> Folder {
        Folder {
            scope: Scope::Cluster,
            files: Vec::new(),
        }
    }

    /// Lists `file`, an object of `namespace` (none: cluster-scoped).
    pub(crate) fn list(&mut self, namespace: Option<&str>, file: String) {
        let scope = namespace.map_or(Scope::Cluster, |ns| Scope::One(ns.to_owned()));
        self.scope = std::mem::replace(&mut self.scope, Scope::Cluster).with(scope);
        self.files.push(file);
    }
}

/// Folder name → folder.
#[derive(Debug, Default)]
pub(crate) struct Folders(std::collections::BTreeMap<String, Folder>);

impl Folders {
    /// The folder `name`, made empty when it is new.
    pub(crate) fn entry(&mut self, name: &str) -> &mut Folder {
        self.0.entry(name.to_owned()).or_insert_with(Folder::new)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Folder> {
        self.0.get(name)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Every folder, in name order, leaving none.
    pub(crate) fn take(&mut self) -> Vec<(String, Folder)> {
        std::mem::take(&mut self.0).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_of_one_namespace_sets_it() {
        let mut f = Folder::new();
        f.list(Some("web"), "a.yaml".into());
        f.list(None, "b.yaml".into());
        f.list(Some("web"), "c.yaml".into());
        assert_eq!(f.scope.namespace().as_deref(), Some("web"));
    }

    #[test]
    fn a_folder_of_cluster_objects_sets_none() {
        let mut f = Folder::new();
        f.list(None, "a.yaml".into());
        assert_eq!(f.scope, Scope::Cluster);
        assert!(!f.scope.is_namespaced());
    }

    #[test]
    fn a_folder_of_two_namespaces_sets_none_in_any_order() {
        let mut f = Folder::new();
        f.list(Some("web"), "a.yaml".into());
        f.list(Some("edge"), "b.yaml".into());
        f.list(Some("web"), "c.yaml".into());
        assert_eq!(f.scope, Scope::Several);
        assert_eq!(f.scope.namespace(), None);
    }
}
