package dev.kiln.runtime.wire;

import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wire format v1 job documents in, validated {@link Job}s or named rejections out. */
class JobDecoderTest {
    private static final String POISSON = "{\"generator\":\"poisson2d\",\"nx\":4}";
    /** [[4,1],[1,3]] as CSR. */
    private static final String CSR_2X2 =
            "{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,2,3],\"colIdx\":[0,1,1],\"values\":[4,1,3]}";

    private final MatrixStore matrices = new MatrixStore(1_000_000);
    private final JobDecoder decoder = new JobDecoder(WireLimits.defaults(), matrices);

    // ---- helpers -------------------------------------------------------------------------

    private static String job(String problem, String options) {
        return "{\"id\":\"j-1\",\"kind\":\"linear\",\"problem\":" + problem
                + (options == null ? "" : ",\"options\":" + options) + "}";
    }

    private static String withMatrix(String matrix) {
        return job("{\"matrix\":" + matrix + "}", null);
    }

    private static String withOptions(String options) {
        return job("{\"matrix\":" + POISSON + "}", options);
    }

    private Job decode(String json) throws JobRejectedException {
        return decoder.decode(json);
    }

    private static LinearProblem linear(Job job) {
        return (LinearProblem) job.problem();
    }

    private JobRejectedException rejected(String json) {
        return assertThrows(JobRejectedException.class, () -> decoder.decode(json));
    }

    private JobRejectedException rejected(byte[] bytes) {
        return assertThrows(JobRejectedException.class, () -> decoder.decode(bytes));
    }

    /** Asserts the code, that the field is the one at fault, and that the message starts with it. */
    private static JobRejectedException assertRejection(JobRejectedException e, ErrorCode code, String field) {
        assertAll(
                () -> assertEquals(code, e.code(), e.getMessage()),
                () -> assertEquals(field, e.field(), e.getMessage()),
                () -> assertTrue(e.getMessage().startsWith(field + ": "), "message names the field: " + e.getMessage()),
                () -> assertEquals(e.getMessage(), e.toError().message()),
                () -> assertEquals(code, e.toError().code()));
        return e;
    }

    private JobRejectedException assertRejected(String json, ErrorCode code, String field) {
        return assertRejection(rejected(json), code, field);
    }

    private static void assertUnparseable(JobRejectedException e) {
        assertEquals(ErrorCode.UNPARSEABLE, e.code(), e.getMessage());
        assertTrue(e.unparseable());
        assertNull(e.jobId(), "unparseable bytes have no id");
        assertNull(e.kind());
    }

    // ---- defaults and identity -------------------------------------------------------------

    @Test
    void minimalPoisson2dJobDecodesWithDefaultOptions() throws Exception {
        Job job = decode("{\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}");
        JobOptions o = job.options();
        LinearOptions lin = o.linear();
        assertAll(
                () -> assertEquals(JobKind.LINEAR, job.kind()),
                () -> assertEquals(LinearMethod.AUTO, lin.method()),
                () -> assertEquals(1e-8, lin.tolerance()),
                () -> assertEquals(Precision.FP64, lin.precision()),
                () -> assertEquals(10_000, lin.maxIterations()),
                () -> assertEquals("auto", lin.preconditioner()),
                () -> assertTrue(lin.omegaAuto()),
                () -> assertFalse(lin.returnSolution()),
                () -> assertEquals(JobOptions.AUTO, o.backend()),
                () -> assertTrue(o.autoBackend()),
                () -> assertEquals(Objective.LATENCY, o.objective()),
                () -> assertEquals(0, o.deadlineMs()),
                () -> assertEquals(1, o.seed()),
                () -> assertNull(job.family()),
                () -> assertEquals(0, job.context().length));
    }

    @Test
    void missingIdIsReplacedByAGeneratedUuid() throws Exception {
        Job job = decode("{\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}");
        assertEquals(job.id(), UUID.fromString(job.id()).toString());
    }

    @Test
    void twoDocumentsWithoutIdGetDifferentIds() throws Exception {
        String json = "{\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}";
        assertNotEquals(decode(json).id(), decode(json).id());
    }

    @Test
    void nullIdIsTreatedAsAbsent() throws Exception {
        Job job = decode("{\"id\":null,\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}");
        UUID.fromString(job.id());
    }

    @Test
    void clientIdFamilyAndContextAreKept() throws Exception {
        Job job = decode("{\"id\":\"step-0042\",\"kind\":\"linear\",\"family\":\"heat\",\"context\":[0.25,-1],"
                + "\"problem\":{\"matrix\":" + POISSON + "}}");
        assertEquals("step-0042", job.id());
        assertEquals("heat", job.family());
        assertArrayEquals(new double[] {0.25, -1}, job.context());
    }

    @Test
    void idMayHoldNonAsciiText() throws Exception {
        assertEquals("Gleichung-ä-😀", decode("{\"id\":\"Gleichung-ä-😀\",\"kind\":\"linear\",\"problem\":{\"matrix\":"
                + POISSON + "}}").id());
    }

    // ---- matrices ----------------------------------------------------------------------------

    @Test
    void csrMatrixDecodesAsGiven() throws Exception {
        CsrMatrix a = linear(decode(withMatrix(CSR_2X2))).a();
        assertEquals(2, a.rows());
        assertArrayEquals(new int[] {0, 2, 3}, a.rowPtr());
        assertArrayEquals(new int[] {0, 1, 1}, a.colIdx());
        assertArrayEquals(new double[] {4, 1, 3}, a.values());
    }

    @Test
    void cooMatrixSumsDuplicateEntries() throws Exception {
        CsrMatrix a = linear(decode(withMatrix("{\"format\":\"coo\",\"rows\":2,\"cols\":2,"
                + "\"row\":[1,0,0,1],\"col\":[1,0,0,0],\"values\":[5,1,2,-1]}"))).a();
        assertEquals(3, a.get(0, 0), "1 + 2 at (0,0)");
        assertEquals(0, a.get(0, 1));
        assertEquals(-1, a.get(1, 0));
        assertEquals(5, a.get(1, 1));
        assertEquals(3, a.nnz());
    }

    @Test
    void matrixMarketTextDecodes() throws Exception {
        String text = "%%MatrixMarket matrix coordinate real symmetric\\n% a comment\\n2 2 3\\n1 1 4\\n2 1 1\\n2 2 3\\n";
        CsrMatrix a = linear(decode(withMatrix("{\"format\":\"matrix-market\",\"text\":\"" + text + "\"}"))).a();
        assertEquals(4, a.get(0, 0));
        assertEquals(1, a.get(0, 1), "the symmetric entry is mirrored");
        assertEquals(1, a.get(1, 0));
        assertEquals(3, a.get(1, 1));
    }

    @Test
    void refResolvesToTheUploadedMatrix() throws Exception {
        CsrMatrix uploaded = PoissonGenerator.poisson2d(3, 3);
        String ref = matrices.put(uploaded);
        assertSame(uploaded, linear(decode(withMatrix("{\"ref\":\"" + ref + "\"}"))).a());
    }

    @Test
    void poisson2dGeneratorBuildsTheLaplacian() throws Exception {
        CsrMatrix a = linear(decode(withMatrix("{\"generator\":\"poisson2d\",\"nx\":4,\"ny\":3}"))).a();
        assertEquals(PoissonGenerator.poisson2d(4, 3).fingerprint(), a.fingerprint());
    }

    @Test
    void poisson2dGeneratorDefaultsNyToNx() throws Exception {
        assertEquals(16, linear(decode(withMatrix(POISSON))).a().rows());
    }

    @Test
    void poisson3dGeneratorDefaultsNyAndNzToNx() throws Exception {
        CsrMatrix a = linear(decode(withMatrix("{\"generator\":\"poisson3d\",\"nx\":3}"))).a();
        assertEquals(PoissonGenerator.poisson3d(3, 3, 3).fingerprint(), a.fingerprint());
    }

    @Test
    void jobsNamingTheSameGeneratedMatrixShareIt() throws Exception {
        CsrMatrix first = linear(decode(withMatrix("{\"generator\":\"poisson2d\",\"nx\":4,\"ny\":3}"))).a();
        CsrMatrix again = linear(decode(withMatrix("{\"generator\":\"poisson2d\",\"ny\":3,\"nx\":4}"))).a();
        assertSame(first, again, "same spec, fields in another order: one matrix");
        CsrMatrix shifted = linear(decode(withMatrix("{\"generator\":\"poisson2d\",\"nx\":4,\"ny\":3,\"shift\":1}"))).a();
        CsrMatrix wider = linear(decode(withMatrix("{\"generator\":\"poisson2d\",\"nx\":3,\"ny\":4}"))).a();
        CsrMatrix cube = linear(decode(withMatrix("{\"generator\":\"poisson3d\",\"nx\":4,\"ny\":3,\"nz\":1}"))).a();
        assertAll(
                () -> assertEquals(PoissonGenerator.poisson2d(4, 3, 1).fingerprint(), shifted.fingerprint()),
                () -> assertEquals(PoissonGenerator.poisson2d(3, 4).fingerprint(), wider.fingerprint()),
                () -> assertEquals(PoissonGenerator.poisson3d(4, 3, 1).fingerprint(), cube.fingerprint()),
                () -> assertNotEquals(first.fingerprint(), shifted.fingerprint()),
                () -> assertEquals(PoissonGenerator.poisson2d(4, 3).fingerprint(), first.fingerprint()));
    }

    @Test
    void generatorShiftIsApplied() throws Exception {
        CsrMatrix a = linear(decode(withMatrix("{\"generator\":\"poisson2d\",\"nx\":3,\"shift\":2.5}"))).a();
        assertEquals(PoissonGenerator.poisson2d(3, 3, 2.5).fingerprint(), a.fingerprint());
    }

    // ---- right-hand side and x0 ---------------------------------------------------------------

    @Test
    void rhsArrayIsTakenAsGiven() throws Exception {
        assertArrayEquals(new double[] {1.5, -2}, linear(decode(job("{\"matrix\":" + CSR_2X2 + ",\"rhs\":[1.5,-2]}", null))).b());
    }

    @Test
    void omittedRhsIsOnes() throws Exception {
        double[] b = linear(decode(withMatrix(POISSON))).b();
        assertEquals(16, b.length);
        assertTrue(Arrays.stream(b).allMatch(v -> v == 1.0));
    }

    @Test
    void onesGeneratorFillsOnes() throws Exception {
        double[] b = linear(decode(job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"ones\"}}", null))).b();
        assertTrue(Arrays.stream(b).allMatch(v -> v == 1.0));
    }

    @Test
    void randomGeneratorWithTheSameSeedGivesTheSameRhs() throws Exception {
        String json = job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"random\",\"seed\":7}}", null);
        assertArrayEquals(linear(decode(json)).b(), linear(decode(json)).b());
    }

    @Test
    void randomGeneratorWithDifferentSeedsGivesDifferentRhs() throws Exception {
        double[] b7 = linear(decode(job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"random\",\"seed\":7}}", null))).b();
        double[] b8 = linear(decode(job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"random\",\"seed\":8}}", null))).b();
        assertFalse(Arrays.equals(b7, b8));
    }

    @Test
    void randomGeneratorValuesLieInMinusOneToOne() throws Exception {
        double[] b = linear(decode(job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"random\",\"seed\":3}}", null))).b();
        assertTrue(Arrays.stream(b).allMatch(v -> v >= -1 && v < 1), Arrays.toString(b));
        assertTrue(Arrays.stream(b).distinct().count() > 1, "not constant");
    }

    @Test
    void randomGeneratorWithoutSeedUsesTheOptionsSeed() throws Exception {
        double[] viaOptions = linear(decode(job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"random\"}}",
                "{\"seed\":11}"))).b();
        double[] viaRhs = linear(decode(job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"random\",\"seed\":11}}",
                null))).b();
        assertArrayEquals(viaRhs, viaOptions);
    }

    @Test
    void aTimesOnesGeneratorGivesTheMatrixTimesOnes() throws Exception {
        LinearProblem p = linear(decode(job("{\"matrix\":" + CSR_2X2 + ",\"rhs\":{\"generator\":\"a-times-ones\"}}", null)));
        assertArrayEquals(new double[] {5, 3}, p.b());
    }

    @Test
    void x0IsDecoded() throws Exception {
        assertArrayEquals(new double[] {0.5, 0.25}, linear(decode(job("{\"matrix\":" + CSR_2X2 + ",\"x0\":[0.5,0.25]}", null))).x0());
    }

    @Test
    void omittedX0IsNull() throws Exception {
        assertNull(linear(decode(withMatrix(CSR_2X2))).x0());
    }

    // ---- options -----------------------------------------------------------------------------

    @Test
    void everyOptionIsParsed() throws Exception {
        Job job = decode(withOptions("{\"method\":\"ssor\",\"preconditioner\":\"jacobi\",\"omega\":1.6,"
                + "\"tolerance\":1e-6,\"maxIterations\":500,\"precision\":\"fp32\",\"returnSolution\":true,"
                + "\"backend\":\"cpu\",\"objective\":\"energy\",\"deadlineMs\":30000,\"seed\":42}"));
        JobOptions o = job.options();
        LinearOptions lin = o.linear();
        assertAll(
                () -> assertEquals(LinearMethod.SSOR, lin.method()),
                () -> assertEquals("jacobi", lin.preconditioner()),
                () -> assertEquals(1.6, lin.omega()),
                () -> assertFalse(lin.omegaAuto()),
                () -> assertEquals(1e-6, lin.tolerance()),
                () -> assertEquals(500, lin.maxIterations()),
                () -> assertEquals(Precision.FP32, lin.precision()),
                () -> assertTrue(lin.returnSolution()),
                () -> assertEquals("cpu", o.backend()),
                () -> assertFalse(o.autoBackend()),
                () -> assertEquals(Objective.ENERGY, o.objective()),
                () -> assertEquals(30_000, o.deadlineMs()),
                () -> assertEquals(42, o.seed()));
    }

    @Test
    void omegaAutoMeansTheTunerChooses() throws Exception {
        assertTrue(decode(withOptions("{\"omega\":\"auto\"}")).options().linear().omegaAuto());
    }

    @Test
    void negativeSeedIsAccepted() throws Exception {
        assertEquals(-5, decode(withOptions("{\"seed\":-5}")).options().seed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "cg", "pcg", "sor", "ssor", "bicgstab", "gmres"})
    void everyWireMethodIsAccepted(String method) throws Exception {
        assertEquals(LinearMethod.fromWire(method), decode(withOptions("{\"method\":\"" + method + "\"}")).options().linear().method());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fp64", "fp32", "mixed"})
    void everyWirePrecisionIsAccepted(String precision) throws Exception {
        assertEquals(Precision.fromWire(precision),
                decode(withOptions("{\"precision\":\"" + precision + "\"}")).options().linear().precision());
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "none", "jacobi"})
    void everyPreconditionerIsAccepted(String pre) throws Exception {
        assertEquals(pre, decode(withOptions("{\"preconditioner\":\"" + pre + "\"}")).options().linear().preconditioner());
    }

    // ---- unparseable and too large ---------------------------------------------------------------

    @Test
    void textThatIsNotJsonIsUnparseable() {
        assertUnparseable(rejected("solve this please"));
    }

    @Test
    void emptyMessageIsUnparseable() {
        assertUnparseable(rejected(new byte[0]));
    }

    @Test
    void nullMessageIsUnparseable() {
        assertUnparseable(rejected((byte[]) null));
    }

    @Test
    void whitespaceOnlyMessageIsUnparseable() {
        assertUnparseable(rejected("  \n "));
    }

    @Test
    void jsonArrayIsUnparseable() {
        JobRejectedException e = rejected("[{\"kind\":\"linear\"}]");
        assertUnparseable(e);
        assertTrue(e.getMessage().contains("array"), e.getMessage());
    }

    @Test
    void jsonScalarIsUnparseable() {
        assertUnparseable(rejected("42"));
    }

    @Test
    void truncatedDocumentIsUnparseable() {
        String full = withMatrix(POISSON);
        assertUnparseable(rejected(full.substring(0, full.length() - 3)));
    }

    @Test
    void invalidUtf8IsUnparseable() {
        byte[] head = "{\"id\":\"ab".getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\",\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xff;
        bytes[head.length + 1] = (byte) 0xfe;
        System.arraycopy(tail, 0, bytes, head.length + 2, tail.length);
        assertUnparseable(rejected(bytes));
    }

    @Test
    void nestingDeeperThanTheLimitIsUnparseable() {
        String deep = "[".repeat(40) + "]".repeat(40);
        assertUnparseable(rejected("{\"id\":\"deep\",\"kind\":\"linear\",\"context\":" + deep + "}"));
    }

    @Test
    void nestingWithinASmallLimitIsFineButOneLevelMoreIsUnparseable() throws Exception {
        JobDecoder shallow = new JobDecoder(new WireLimits(1 << 20, 1000, 10_000, 4), matrices);
        shallow.decode(job("{\"matrix\":" + POISSON + ",\"rhs\":{\"generator\":\"ones\"}}", null)); // depth 3
        JobRejectedException e = assertThrows(JobRejectedException.class,
                () -> shallow.decode("{\"kind\":\"linear\",\"context\":[[[[[1]]]]]}"));
        assertUnparseable(e);
    }

    @Test
    void duplicateKeysAreUnparseable() {
        assertUnparseable(rejected("{\"id\":\"a\",\"id\":\"b\",\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}"));
    }

    @Test
    void trailingContentAfterTheObjectIsUnparseable() {
        assertUnparseable(rejected(withMatrix(POISSON) + " {}"));
    }

    @Test
    void messageOverTheByteLimitIsTooLarge() {
        JobDecoder small = new JobDecoder(new WireLimits(64, 1000, 10_000, 32), matrices);
        String json = withMatrix(POISSON);
        assertTrue(json.length() > 64);
        JobRejectedException e = assertThrows(JobRejectedException.class, () -> small.decode(json));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertFalse(e.unparseable());
        assertTrue(e.getMessage().contains("64"), e.getMessage());
    }

    // ---- top-level fields and kind --------------------------------------------------------------

    @Test
    void missingKindIsRejectedNamingKind() {
        JobRejectedException e = assertRejected("{\"id\":\"k-1\",\"problem\":{\"matrix\":" + POISSON + "}}",
                ErrorCode.INVALID_OPTIONS, "kind");
        assertEquals("k-1", e.jobId());
        assertNull(e.kind());
    }

    @Test
    void unknownKindIsRejectedNamingKind() {
        JobRejectedException e = assertRejected("{\"id\":\"k-2\",\"kind\":\"nonlinear\",\"problem\":{}}",
                ErrorCode.INVALID_OPTIONS, "kind");
        assertTrue(e.getMessage().contains("nonlinear"), e.getMessage());
        assertEquals("k-2", e.jobId());
    }

    @Test
    void kindThatIsNotAStringIsRejected() {
        assertRejected("{\"id\":\"k-3\",\"kind\":1,\"problem\":{}}", ErrorCode.INVALID_OPTIONS, "kind");
    }

    @Test
    void trainJobWithoutAModelIsRejectedNamingTheField() {
        // Every wire kind has a reader now; train's own cases are in TrainJobReaderTest.
        JobRejectedException e = assertRejected("{\"id\":\"t-1\",\"kind\":\"train\",\"problem\":{}}", ErrorCode.INVALID_PROBLEM, "problem.model");
        assertEquals("t-1", e.jobId());
        assertEquals(JobKind.TRAIN, e.kind());
        assertFalse(e.unparseable());
    }

    @Test
    void unknownTopLevelFieldIsRejectedNamingIt() {
        JobRejectedException e = assertRejected("{\"id\":\"u-1\",\"kind\":\"linear\",\"priority\":3,\"problem\":{\"matrix\":"
                + POISSON + "}}", ErrorCode.INVALID_OPTIONS, "priority");
        assertEquals("u-1", e.jobId());
        assertEquals(JobKind.LINEAR, e.kind());
    }

    @Test
    void missingProblemIsRejected() {
        assertRejected("{\"id\":\"p-1\",\"kind\":\"linear\"}", ErrorCode.INVALID_PROBLEM, "problem");
    }

    @Test
    void problemThatIsNotAnObjectIsRejected() {
        assertRejected("{\"id\":\"p-2\",\"kind\":\"linear\",\"problem\":[1]}", ErrorCode.INVALID_PROBLEM, "problem");
    }

    @Test
    void optionsThatAreNotAnObjectAreRejected() {
        assertRejected(job("{\"matrix\":" + POISSON + "}", "[]"), ErrorCode.INVALID_OPTIONS, "options");
    }

    @Test
    void familyThatIsNotAStringIsRejected() {
        assertRejected("{\"id\":\"f-1\",\"kind\":\"linear\",\"family\":7,\"problem\":{\"matrix\":" + POISSON + "}}",
                ErrorCode.INVALID_OPTIONS, "family");
    }

    @Test
    void contextWithANonNumberIsRejectedNamingTheEntry() {
        assertRejected("{\"id\":\"c-1\",\"kind\":\"linear\",\"context\":[1,\"two\"],\"problem\":{\"matrix\":" + POISSON + "}}",
                ErrorCode.INVALID_OPTIONS, "context[1]");
    }

    @Test
    void idThatIsNotAStringIsRejectedWithoutAnId() {
        JobRejectedException e = assertRejected("{\"id\":12,\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}",
                ErrorCode.INVALID_OPTIONS, "id");
        assertNull(e.jobId());
    }

    @Test
    void idLongerThan256CharactersIsRejected() {
        JobRejectedException e = assertRejected("{\"id\":\"" + "x".repeat(257) + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":"
                + POISSON + "}}", ErrorCode.INVALID_OPTIONS, "id");
        assertNull(e.jobId());
    }

    @Test
    void idOf256CharactersIsAccepted() throws Exception {
        String id = "y".repeat(256);
        assertEquals(id, decode("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}").id());
    }

    @Test
    void emptyIdIsRejected() {
        assertRejected("{\"id\":\"\",\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}", ErrorCode.INVALID_OPTIONS, "id");
    }

    @Test
    void idWithAControlCharacterIsRejected() {
        JobRejectedException e = assertRejected("{\"id\":\"bad\\u0007id\",\"kind\":\"linear\",\"problem\":{\"matrix\":"
                + POISSON + "}}", ErrorCode.INVALID_OPTIONS, "id");
        assertTrue(e.getMessage().contains("position 3"), e.getMessage());
    }

    @Test
    void idWithALoneSurrogateIsRejected() {
        assertRejected("{\"id\":\"a\\ud800b\",\"kind\":\"linear\",\"problem\":{\"matrix\":" + POISSON + "}}",
                ErrorCode.INVALID_OPTIONS, "id");
    }

    @Test
    void rejectionAfterTheIdWasReadCarriesTheIdAndKind() {
        JobRejectedException e = rejected(withMatrix(
                "{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,1,2],\"colIdx\":[0,9],\"values\":[1,1]}"));
        assertEquals("j-1", e.jobId());
        assertEquals(JobKind.LINEAR, e.kind());
    }

    @Test
    void rejectionOfADocumentWithoutIdCarriesNoInventedId() {
        // The adapters fall back to their own id (Kafka: the kiln-job-id header) only when none was read.
        JobRejectedException e = rejected("{\"kind\":\"linear\",\"problem\":{}}");
        assertEquals(ErrorCode.INVALID_PROBLEM, e.code());
        assertNull(e.jobId());
        assertEquals(JobKind.LINEAR, e.kind());
    }

    // ---- option rejections -----------------------------------------------------------------------

    @Test
    void misspeltOptionIsRejectedNamingIt() {
        JobRejectedException e = assertRejected(withOptions("{\"tolerence\":1e-6}"), ErrorCode.INVALID_OPTIONS, "options.tolerence");
        assertEquals("j-1", e.jobId());
        assertEquals(JobKind.LINEAR, e.kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "2", "1", "-1e-6", "\"x\"", "true"})
    void toleranceOutsideZeroToOneIsRejected(String tolerance) {
        assertRejected(withOptions("{\"tolerance\":" + tolerance + "}"), ErrorCode.INVALID_OPTIONS, "options.tolerance");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.5", "2", "0", "-1", "\"fast\""})
    void omegaOutsideZeroToTwoIsRejected(String omega) {
        assertRejected(withOptions("{\"omega\":" + omega + "}"), ErrorCode.INVALID_OPTIONS, "options.omega");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "1.5", "\"100\"", "100000001"})
    void maxIterationsOutsideItsRangeIsRejected(String maxIterations) {
        assertRejected(withOptions("{\"maxIterations\":" + maxIterations + "}"), ErrorCode.INVALID_OPTIONS, "options.maxIterations");
    }

    @Test
    void negativeDeadlineIsRejected() {
        assertRejected(withOptions("{\"deadlineMs\":-1}"), ErrorCode.INVALID_OPTIONS, "options.deadlineMs");
    }

    @Test
    void deadlineOverAWeekIsRejected() {
        assertRejected(withOptions("{\"deadlineMs\":604800001}"), ErrorCode.INVALID_OPTIONS, "options.deadlineMs");
    }

    @Test
    void fractionalSeedIsRejected() {
        assertRejected(withOptions("{\"seed\":1.5}"), ErrorCode.INVALID_OPTIONS, "options.seed");
    }

    @Test
    void unknownMethodIsRejected() {
        assertRejected(withOptions("{\"method\":\"lu\"}"), ErrorCode.INVALID_OPTIONS, "options.method");
    }

    @Test
    void unknownPreconditionerIsRejected() {
        assertRejected(withOptions("{\"preconditioner\":\"ilu\"}"), ErrorCode.INVALID_OPTIONS, "options.preconditioner");
    }

    @Test
    void unknownPrecisionIsRejected() {
        assertRejected(withOptions("{\"precision\":\"fp16\"}"), ErrorCode.INVALID_OPTIONS, "options.precision");
    }

    @Test
    void unknownObjectiveIsRejected() {
        assertRejected(withOptions("{\"objective\":\"cost\"}"), ErrorCode.INVALID_OPTIONS, "options.objective");
    }

    @Test
    void backendThatIsNotAStringIsRejected() {
        assertRejected(withOptions("{\"backend\":3}"), ErrorCode.INVALID_OPTIONS, "options.backend");
    }

    @Test
    void returnSolutionThatIsNotABooleanIsRejected() {
        assertRejected(withOptions("{\"returnSolution\":\"yes\"}"), ErrorCode.INVALID_OPTIONS, "options.returnSolution");
    }

    // ---- problem rejections ----------------------------------------------------------------------

    @Test
    void missingMatrixIsRejected() {
        assertRejected(job("{\"rhs\":[1]}", null), ErrorCode.INVALID_PROBLEM, "problem.matrix");
    }

    @Test
    void unknownProblemFieldIsRejected() {
        assertRejected(job("{\"matrix\":" + POISSON + ",\"b\":[1]}", null), ErrorCode.INVALID_PROBLEM, "problem.b");
    }

    @Test
    void unknownMatrixFieldIsRejected() {
        assertRejected(withMatrix("{\"format\":\"csr\",\"rows\":1,\"cols\":1,\"rowPtr\":[0,1],\"colIdx\":[0],\"values\":[1],\"sorted\":true}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.sorted");
    }

    @Test
    void matrixWithoutFormatRefOrGeneratorIsRejected() {
        assertRejected(withMatrix("{\"rows\":1}"), ErrorCode.INVALID_PROBLEM, "problem.matrix");
    }

    @Test
    void unknownMatrixFormatIsRejected() {
        assertRejected(withMatrix("{\"format\":\"csc\"}"), ErrorCode.INVALID_PROBLEM, "problem.matrix.format");
    }

    @Test
    void nonSquareMatrixIsRejected() {
        JobRejectedException e = assertRejected(withMatrix(
                "{\"format\":\"csr\",\"rows\":2,\"cols\":3,\"rowPtr\":[0,1,2],\"colIdx\":[0,2],\"values\":[1,1]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix");
        assertTrue(e.getMessage().contains("2x3"), e.getMessage());
    }

    @Test
    void negativeRowsAreRejected() {
        assertRejected(withMatrix("{\"format\":\"csr\",\"rows\":-2,\"cols\":2,\"rowPtr\":[0,0,0],\"colIdx\":[],\"values\":[]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.rows");
    }

    @Test
    void rowsOverTheUnknownsLimitAreTooLarge() {
        JobDecoder small = new JobDecoder(new WireLimits(1 << 20, 10, 1000, 32), matrices);
        JobRejectedException e = assertThrows(JobRejectedException.class, () -> small.decode(withMatrix(
                "{\"format\":\"csr\",\"rows\":11,\"cols\":11,\"rowPtr\":[0],\"colIdx\":[],\"values\":[]}")));
        assertRejection(e, ErrorCode.TOO_LARGE, "problem.matrix.rows");
    }

    @Test
    void nonZerosOverTheLimitAreTooLarge() {
        JobDecoder small = new JobDecoder(new WireLimits(1 << 20, 1000, 2, 32), matrices);
        JobRejectedException e = assertThrows(JobRejectedException.class, () -> small.decode(withMatrix(CSR_2X2)));
        assertRejection(e, ErrorCode.TOO_LARGE, "problem.matrix");
    }

    @Test
    void rowPtrOfTheWrongLengthIsRejected() {
        assertRejected(withMatrix("{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,2],\"colIdx\":[0,1],\"values\":[1,1]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.rowPtr");
    }

    @Test
    void columnIndexOutOfRangeIsRejectedNamingTheEntry() {
        JobRejectedException e = assertRejected(withMatrix(
                "{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,1,2],\"colIdx\":[0,7],\"values\":[1,1]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.colIdx[1]");
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void unsortedColumnsAreRejectedNamingTheEntry() {
        assertRejected(withMatrix("{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,2,3],\"colIdx\":[1,0,1],\"values\":[1,4,3]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.colIdx[1]");
    }

    @Test
    void valueThatOverflowsToInfinityIsRejectedNamingTheEntry() {
        // JSON has no NaN; 1e400 parses (Jackson: Double.parseDouble) to Infinity and must not get through.
        JobRejectedException e = assertRejected(withMatrix(
                "{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,2,3],\"colIdx\":[0,1,1],\"values\":[4,1e400,3]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.values[1]");
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
    }

    @Test
    void columnIndexBeyondIntRangeIsRejected() {
        assertRejected(withMatrix("{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,1,2],\"colIdx\":[3000000000,1],\"values\":[1,1]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.colIdx[0]");
    }

    @Test
    void fractionalIndexIsRejected() {
        assertRejected(withMatrix("{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,1,2],\"colIdx\":[1.5,1],\"values\":[1,1]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.colIdx[0]");
    }

    @Test
    void valueThatIsAStringIsRejected() {
        assertRejected(withMatrix("{\"format\":\"csr\",\"rows\":1,\"cols\":1,\"rowPtr\":[0,1],\"colIdx\":[0],\"values\":[\"1\"]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.values[0]");
    }

    @Test
    void cooRowIndexOutOfRangeIsRejectedNamingTheEntry() {
        assertRejected(withMatrix("{\"format\":\"coo\",\"rows\":2,\"cols\":2,\"row\":[0,1,2],\"col\":[0,1,1],\"values\":[1,1,1]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.row[2]");
    }

    @Test
    void cooArraysOfDifferentLengthsAreRejected() {
        assertRejected(withMatrix("{\"format\":\"coo\",\"rows\":2,\"cols\":2,\"row\":[0,1],\"col\":[0],\"values\":[1,1]}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.col");
    }

    @Test
    void rhsOfTheWrongLengthIsRejected() {
        JobRejectedException e = assertRejected(job("{\"matrix\":" + CSR_2X2 + ",\"rhs\":[1,2,3]}", null),
                ErrorCode.INVALID_PROBLEM, "problem.rhs");
        assertTrue(e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void rhsContainingAStringIsRejectedNamingTheEntry() {
        assertRejected(job("{\"matrix\":" + CSR_2X2 + ",\"rhs\":[1,\"2\"]}", null), ErrorCode.INVALID_PROBLEM, "problem.rhs[1]");
    }

    @Test
    void rhsThatIsAStringIsRejected() {
        assertRejected(job("{\"matrix\":" + CSR_2X2 + ",\"rhs\":\"ones\"}", null), ErrorCode.INVALID_PROBLEM, "problem.rhs");
    }

    @Test
    void unknownRhsGeneratorIsRejected() {
        assertRejected(job("{\"matrix\":" + CSR_2X2 + ",\"rhs\":{\"generator\":\"zeros\"}}", null),
                ErrorCode.INVALID_PROBLEM, "problem.rhs.generator");
    }

    @Test
    void fractionalRhsSeedIsRejected() {
        assertRejected(job("{\"matrix\":" + CSR_2X2 + ",\"rhs\":{\"generator\":\"random\",\"seed\":0.5}}", null),
                ErrorCode.INVALID_PROBLEM, "problem.rhs.seed");
    }

    @Test
    void x0OfTheWrongLengthIsRejected() {
        assertRejected(job("{\"matrix\":" + CSR_2X2 + ",\"x0\":[1]}", null), ErrorCode.INVALID_PROBLEM, "problem.x0");
    }

    @Test
    void unknownMatrixGeneratorIsRejected() {
        JobRejectedException e = assertRejected(withMatrix("{\"generator\":\"poisson4d\",\"nx\":3}"),
                ErrorCode.INVALID_PROBLEM, "problem.matrix.generator");
        assertTrue(e.getMessage().contains("poisson4d"), e.getMessage());
    }

    @Test
    void generatorOverTheUnknownsLimitIsTooLarge() {
        assertRejected(withMatrix("{\"generator\":\"poisson3d\",\"nx\":100000}"), ErrorCode.TOO_LARGE, "problem.matrix");
    }

    @Test
    void negativeGeneratorShiftIsRejected() {
        assertRejected(withMatrix("{\"generator\":\"poisson2d\",\"nx\":3,\"shift\":-1}"), ErrorCode.INVALID_PROBLEM, "problem.matrix.shift");
    }

    @Test
    void malformedMatrixMarketTextIsRejectedNamingTheLine() {
        String text = "%%MatrixMarket matrix coordinate real general\\n2 2 2\\n1 1 4\\n2 two 3\\n";
        JobRejectedException e = rejected(withMatrix("{\"format\":\"matrix-market\",\"text\":\"" + text + "\"}"));
        assertEquals(ErrorCode.INVALID_PROBLEM, e.code());
        assertEquals("problem.matrix.text.line 4", e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith("problem.matrix.text.line 4: "), e.getMessage());
    }

    @Test
    void matrixMarketWithoutTextIsRejected() {
        assertRejected(withMatrix("{\"format\":\"matrix-market\"}"), ErrorCode.INVALID_PROBLEM, "problem.matrix.text");
    }

    @Test
    void unknownRefIsRejected() {
        JobRejectedException e = assertRejected(withMatrix("{\"ref\":\"0123abcd\"}"), ErrorCode.INVALID_PROBLEM, "problem.matrix.ref");
        assertTrue(e.getMessage().contains("0123abcd"), e.getMessage());
    }

    @Test
    void refWithOtherFieldsIsRejected() {
        String ref = matrices.put(PoissonGenerator.poisson2d(2, 2));
        assertRejected(withMatrix("{\"ref\":\"" + ref + "\",\"rows\":4}"), ErrorCode.INVALID_PROBLEM, "problem.matrix.rows");
    }

    @Test
    void invalidProblemIsNotUnparseable() {
        assertFalse(rejected(withMatrix("{\"ref\":\"nope\"}")).unparseable());
    }
}
