package io.faultline.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.faultline.kube.testkit.ServerSideApply;

/** The shipped example resources: src/examples/k8s and crds/examples, document by document. */
final class Examples {
    private Examples() {
    }

    record Example(String file, int index, ObjectNode resource) {
        String kind() {
            return resource.path("kind").asText();
        }

        String name() {
            return resource.path("metadata").path("name").asText();
        }

        String namespace() {
            return resource.path("metadata").path("namespace").asText();
        }

        @Override
        public String toString() {
            return file + "#" + (index + 1) + " " + kind() + "/" + name();
        }
    }

    static final List<Path> FOLDERS = List.of(Repo.K8S_EXAMPLES, Repo.CRD_EXAMPLES);

    static List<Example> all() {
        List<Example> examples = new ArrayList<>();
        for (Path folder : FOLDERS) {
            for (Path file : Repo.yamlFiles(folder)) {
                var documents = ServerSideApply.documents(Repo.read(file), file.toString());
                for (int i = 0; i < documents.size(); i++) {
                    examples.add(new Example(Repo.ROOT.relativize(file).toString(), i, (ObjectNode) documents.get(i)));
                }
            }
        }
        return examples;
    }
}
