//! The environment's Argo CD AppProjects (`argocd.projects`), beside the
//! Applications in the `argocd` folder and synced before them.

use crate::crds::{AppProject, AppProjectSpec, GroupKind, ProjectDestination};
use crate::{file_name, managed_labels, meta, waves, Output, RenderError, ARGOCD_FOLDER};

fn group_kinds(list: &[cfggen_model::project::GroupKind]) -> Vec<GroupKind> {
    list.iter()
        .map(|g| GroupKind {
            group: g.group.clone(),
            kind: g.kind.clone(),
        })
        .collect()
}

/// Every AppProject of the environment.
pub(crate) fn projects(
    out: &mut Output,
    env: &cfggen_model::Environment,
) -> Result<(), RenderError> {
    let argo = &env.argocd;
    for (name, project) in &argo.projects {
        let labels = managed_labels(project.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut metadata = meta(name, &argo.namespace, labels, waves::PREREQUISITES);
        if let Some(annotations) = metadata.annotations.as_mut() {
            annotations.extend(
                project
                    .annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        let object = AppProject {
            api_version: "argoproj.io/v1alpha1".into(),
            kind: "AppProject".into(),
            metadata,
            spec: AppProjectSpec {
                description: project.description.clone(),
                source_repos: project.source_repos.clone(),
                destinations: project
                    .destinations
                    .iter()
                    .map(|d| ProjectDestination {
                        server: d.server.clone(),
                        name: d.name.clone(),
                        namespace: d.namespace.clone(),
                    })
                    .collect(),
                cluster_resource_whitelist: group_kinds(&project.cluster_resource_whitelist),
                namespace_resource_whitelist: group_kinds(&project.namespace_resource_whitelist),
                namespace_resource_blacklist: group_kinds(&project.namespace_resource_blacklist),
                source_namespaces: project.source_namespaces.clone(),
                roles: project.roles.clone(),
                sync_windows: project.sync_windows.clone(),
                orphaned_resources: project.orphaned_resources.clone(),
            },
        };
        out.resource(
            ARGOCD_FOLDER,
            &argo.namespace,
            file_name("AppProject", name),
            &object,
        )?;
    }
    Ok(())
}
