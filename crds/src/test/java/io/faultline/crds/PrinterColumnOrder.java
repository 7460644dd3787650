package io.faultline.crds;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;

/**
 * kubectl prints a resource's columns in the order of the CRD's additionalPrinterColumns. The crd-generator sorts
 * them by JSON path, which puts Age ({@code .metadata.creationTimestamp}) first; the committed CRD lists them in the
 * order the model declares its {@link AdditionalPrinterColumn} annotations (NAME, PHASE, ..., AGE, as kubectl's
 * built-in kinds read). Only the order of the column entries changes: each entry's lines are kept as generated.
 */
final class PrinterColumnOrder {
    private static final String LIST_KEY = "  - additionalPrinterColumns:";
    private static final String ENTRY_START = "    - ";
    private static final String ENTRY_CONTINUATION = "      ";
    private static final Pattern NAME = Pattern.compile("^ {6}name: \"(.*)\"$");

    private PrinterColumnOrder() {
    }

    /** The generated CRD YAML with its printer columns in the order {@code resource} declares them. */
    static String declaredOrder(String generatedYaml, Class<?> resource) {
        List<String> declared = new ArrayList<>();
        for (AdditionalPrinterColumn column : resource.getAnnotationsByType(AdditionalPrinterColumn.class)) {
            declared.add(column.name());
        }
        List<String> lines = new ArrayList<>(List.of(generatedYaml.split("\n", -1)));
        int start = lines.indexOf(LIST_KEY);
        if (start < 0) {
            return generatedYaml;
        }
        int end = start + 1;
        List<List<String>> entries = new ArrayList<>();
        while (end < lines.size() && (lines.get(end).startsWith(ENTRY_START) || lines.get(end).startsWith(ENTRY_CONTINUATION))) {
            if (lines.get(end).startsWith(ENTRY_START)) {
                entries.add(new ArrayList<>());
            }
            entries.get(entries.size() - 1).add(lines.get(end));
            end++;
        }
        entries.sort(Comparator.comparingInt(entry -> {
            int index = declared.indexOf(name(entry));
            if (index < 0) {
                throw new IllegalStateException("printer column " + name(entry) + " is not declared on " + resource);
            }
            return index;
        }));
        List<String> result = new ArrayList<>(lines.subList(0, start + 1));
        entries.forEach(result::addAll);
        result.addAll(lines.subList(end, lines.size()));
        return String.join("\n", result);
    }

    private static String name(List<String> entry) {
        for (String line : entry) {
            Matcher m = NAME.matcher(line);
            if (m.matches()) {
                return m.group(1);
            }
        }
        throw new IllegalStateException("printer column without a name: " + entry);
    }
}
