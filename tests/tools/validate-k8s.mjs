// Validates every document of the given Kubernetes YAML files against the Kubernetes JSON schemas shipped in the
// kubernetes-models package. Prints one line per document; exits 1 when any document is invalid or of an unknown kind.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { Service, Secret, ConfigMap } from "kubernetes-models/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";

const models = {
  "apps/v1/Deployment": Deployment, "v1/Service": Service, "v1/Secret": Secret, "v1/ConfigMap": ConfigMap,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler, "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};
let failed = false;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8")).filter(Boolean)) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    const Model = models[key];
    if (!Model) { console.log(`FAIL ${file}: unknown kind ${key}`); failed = true; continue; }
    try { new Model(doc).validate(); console.log(`ok ${file}: ${key} ${doc.metadata?.name}`); }
    catch (error) { console.log(`FAIL ${file}: ${key} ${error.message}`); failed = true; }
  }
}
process.exit(failed ? 1 : 0);
