package io.faultline.operator.compiler;

import static io.faultline.operator.compiler.Sessions.active;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.HttpMatch;
import io.faultline.crds.spec.ValueCondition;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.fault.FaultKind;
import io.faultline.sidecar.fault.FaultKinds;
import io.faultline.sidecar.http.HttpFaultKinds;
import io.faultline.sidecar.http.RequestMatch;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The CRD's fault vocabulary and the sidecar's fault registries must not drift apart. A session that sets every field
 * of every CRD fault kind (vocabulary/every-field.yaml) is compiled and parsed by the sidecar's own ConfigParser, which
 * refuses unknown fields and bad values; every field the sidecar renders for a parsed fault must be one the CRD set.
 * A kind or field added on one side only fails here, with its name.
 */
class FaultVocabularyDriftTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> BASE_FIELDS = Set.of("name", "targets", "probability", "stream", "match");
    /** Renamed by the compiler: CRD path -> sidecar path. */
    private static final Map<String, String> RENAMED = Map.of("abort.httpStatus", "abort.status");

    private static FaultSessionSpec everyField;
    private static JsonNode fixture;
    private static ProxyConfig parsedBySidecar;
    private static JsonNode compiled;

    @BeforeAll
    static void compileEveryField() throws IOException {
        try (InputStream in = FaultVocabularyDriftTest.class.getResourceAsStream("/vocabulary/every-field.yaml")) {
            everyField = Serialization.unmarshal(in, FaultSessionSpec.class);
        }
        try (InputStream in = FaultVocabularyDriftTest.class.getResourceAsStream("/vocabulary/every-field.yaml")) {
            fixture = JSON.valueToTree(Serialization.unmarshal(in, Map.class)); // the YAML as written, not as the model reads it
        }
        assertThat(SessionValidator.validate(everyField)).as("the fixture is a valid session").isEmpty();
        PodConfig config = ProxyConfigCompiler.compile(List.of(active("vocab", Instant.EPOCH, everyField, null)), null);
        compiled = config.json();
        parsedBySidecar = ConfigParser.parse(compiled); // throws, naming the field, on anything the sidecar does not know
    }

    @Test
    void theCrdHasExactlyTheSidecarsFaultKinds() {
        assertThat(new TreeSet<>(FaultSpec.KIND_NAMES)).as("CRD fault kinds vs the sidecar's FaultKinds registry")
                .isEqualTo(new TreeSet<>(FaultKinds.names()));
    }

    @Test
    void theCrdSaysWhichProtocolEachKindNeedsLikeTheSidecar() {
        for (String name : FaultKinds.names()) {
            FaultKind kind = FaultKinds.byName(name).orElseThrow();
            assertThat(!FaultSpec.TCP_KIND_NAMES.contains(name)).as("%s works on http listeners", name)
                    .isEqualTo(HttpFaultKinds.isHttp(kind));
            assertThat(!FaultSpec.HTTP_KIND_NAMES.contains(name)).as("%s works on tcp listeners", name)
                    .isEqualTo(!HttpFaultKinds.ALL.contains(kind));
        }
    }

    @Test
    void theFixtureSetsEveryFieldOfEveryCrdKind() throws IOException {
        Set<String> declared = new TreeSet<>();
        for (Field field : FaultSpec.class.getFields()) {
            if (!Modifier.isStatic(field.getModifiers()) && !BASE_FIELDS.contains(wireName(field))) {
                declared.add(wireName(field));
                declaredPaths(field.getType(), wireName(field), declared);
            }
        }
        Set<String> set = new TreeSet<>();
        for (JsonNode fault : JSON.readTree(Serialization.asJson(everyField)).path("faults")) {
            fault.fields().forEachRemaining(e -> {
                if (!BASE_FIELDS.contains(e.getKey())) {
                    set.add(e.getKey());
                    setPaths(e.getValue(), e.getKey(), set);
                }
            });
        }
        assertThat(set).as("fields set by vocabulary/every-field.yaml (add the missing ones there)").containsAll(declared);
    }

    @Test
    void theSidecarParsesEveryKindWithEveryField() {
        assertThat(parsedBySidecar.rules()).hasSameSizeAs(everyField.faults);
        Set<String> kinds = new TreeSet<>();
        parsedBySidecar.rules().forEach(rule -> kinds.add(rule.fault().kind().name()));
        assertThat(kinds).containsExactlyInAnyOrderElementsOf(FaultSpec.KIND_NAMES);
    }

    @Test
    void everyFieldTheSidecarKnowsIsInTheCrd() {
        for (int i = 0; i < parsedBySidecar.rules().size(); i++) {
            RuleSpec rule = parsedBySidecar.rules().get(i);
            String kind = rule.fault().kind().name();
            Set<String> sidecarPaths = new TreeSet<>();
            setPaths(rule.fault().toJson(), kind, sidecarPaths);
            Set<String> sentPaths = new TreeSet<>();
            setPaths(compiled.path("rules").get(i).path(kind), kind, sentPaths);
            assertThat(sentPaths).as("fields of %s the sidecar renders (with defaults) vs those the CRD fixture sent", kind)
                    .containsAll(sidecarPaths);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCrdMatchHasExactlyTheSidecarsMatchFields() throws ReflectiveOperationException {
        Field fields = RequestMatch.class.getDeclaredField("FIELDS");
        fields.setAccessible(true);
        assertThat(publicFieldNames(HttpMatch.class)).as("CRD match fields vs the sidecar's RequestMatch.FIELDS")
                .isEqualTo(new TreeSet<>((Set<String>) fields.get(null)));
    }

    @Test
    void theFixtureSetsEveryMatchField() {
        Set<String> matchFields = new TreeSet<>();
        Map<String, Set<String>> conditionFields = Map.of("headers", new TreeSet<>(), "query", new TreeSet<>());
        for (JsonNode fault : fixture.path("faults")) {
            fault.path("match").fieldNames().forEachRemaining(matchFields::add);
            conditionFields.forEach((map, set) -> fault.path("match").path(map)
                    .forEach(condition -> condition.fieldNames().forEachRemaining(set::add)));
        }
        assertThat(matchFields).as("match fields set by vocabulary/every-field.yaml").containsAll(publicFieldNames(HttpMatch.class));
        conditionFields.forEach((map, set) -> assertThat(set).as("condition fields set in match.%s", map)
                .containsAll(publicFieldNames(ValueCondition.class)));
    }

    /** The compiler passes match through: the sidecar parses (and keeps) exactly what the user wrote. */
    @Test
    void everyMatchReachesTheSidecarAsWritten() {
        int withMatch = 0;
        for (int i = 0; i < parsedBySidecar.rules().size(); i++) {
            JsonNode written = fixture.path("faults").get(i).get("match");
            assertThat(parsedBySidecar.rules().get(i).match()).as("match of rule %d", i).isEqualTo(written);
            withMatch += written == null ? 0 : 1;
        }
        assertThat(withMatch).isEqualTo(2);
        assertThat(compiled.path("rules").get(indexOf("abort")).path("match").path("exclude").isArray())
                .as("exclude: [] (reach the probe paths) survives the model and the compiler").isTrue();
    }

    /** What the fixture's conditions mean, evaluated by the sidecar's own matcher on a request. */
    @Test
    void theSidecarMatchesTheFixturesConditions() {
        RequestMatch match = RequestMatch.fromJson(parsedBySidecar.rules().get(indexOf("latency")).match());
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v2/orders/17?page=2&sort=asc&q=");
        request.headers().set("host", "orders.shop.svc:8080").set("x-tier", "free").set("user-agent", "Shop/3 (iPhone)");
        assertThat(match.matches(request)).as("every condition holds").isTrue();

        request.headers().set("x-retry", "1");
        assertThat(match.matches(request)).as("x-retry must be absent").isFalse();
        request.headers().remove("x-retry");
        request.setUri("/api/v2/orders/17?page=2&sort=random&q=");
        assertThat(match.matches(request)).as("sort must match asc|desc").isFalse();
        request.setUri("/api/vX/orders?page=2&sort=asc&q=");
        assertThat(match.matches(request)).as("pathRegex /api/v[0-9]+/orders(/.*)?").isFalse();
    }

    private static int indexOf(String faultName) {
        for (int i = 0; i < everyField.faults.size(); i++) {
            if (everyField.faults.get(i).name.equals(faultName)) {
                return i;
            }
        }
        throw new IllegalArgumentException(faultName);
    }

    private static Set<String> publicFieldNames(Class<?> type) {
        Set<String> names = new TreeSet<>();
        for (Field field : type.getFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                names.add(wireName(field));
            }
        }
        return names;
    }

    /** Paths of the fields a CRD kind class declares, recursing into the fault model's own classes. */
    private static void declaredPaths(Class<?> type, String prefix, Set<String> paths) {
        if (!type.getPackageName().startsWith("io.faultline.crds") || type.isEnum()) {
            return;
        }
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            String path = RENAMED.getOrDefault(prefix + "." + wireName(field), prefix + "." + wireName(field));
            paths.add(path);
            Class<?> element = field.getType();
            if (List.class.isAssignableFrom(element) && field.getGenericType() instanceof ParameterizedType list
                    && list.getActualTypeArguments()[0] instanceof Class<?> itemType) {
                element = itemType;
            }
            if (!Map.class.isAssignableFrom(element)) {
                declaredPaths(element, path, paths);
            }
        }
    }

    /** Paths of the fields set in a JSON tree (list items share their list's path); free-form maps count as leaves. */
    private static void setPaths(JsonNode node, String prefix, Set<String> paths) {
        if (node.isArray()) {
            node.forEach(item -> setPaths(item, prefix, paths));
            return;
        }
        if (!node.isObject() || isFreeForm(prefix)) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = RENAMED.getOrDefault(prefix + "." + field.getKey(), prefix + "." + field.getKey());
            paths.add(path);
            setPaths(field.getValue(), path, paths);
        }
    }

    /** Maps whose keys are the user's (header names, JSON patch members), not fields of the vocabulary. */
    private static boolean isFreeForm(String path) {
        return path.endsWith(".headers") && path.startsWith("abort") || path.endsWith(".set") || path.endsWith(".add")
                || path.equals("body.jsonPatch");
    }

    private static String wireName(Field field) {
        JsonProperty renamed = field.getAnnotation(JsonProperty.class);
        return renamed != null ? renamed.value() : field.getName();
    }
}
