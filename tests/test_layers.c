// test_layers.c - activations (relu, sigmoid, tanh), softmax (slide 000's
// example, rows summing to 1, large inputs) and the dense layer.
//
// Expected values from `python3 tests/tools/reference.py layers` (Python's
// math module, in double). Slide 000's printed softmax result agrees with it
// to the 8 digits printed.
#include "helpers.h"

// ---- Activations --------------------------------------------------------------------

static const float act_in[7] = {-4.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 4.0f};
// 1 / (1 + exp(-x)) for act_in
static const float sigmoid_of[7] = {
    0.01798621f, 0.268941421f, 0.377540669f, 0.5f, 0.622459331f, 0.731058579f, 0.98201379f,
};
// tanh(x) for act_in
static const float tanh_of[7] = {
    -0.9993293f, -0.761594156f, -0.462117157f, 0.0f, 0.462117157f, 0.761594156f, 0.9993293f,
};

// relu keeps positives and turns negatives and zero into 0.
static void test_relu_values(void **state) {
    (void)state;
    static const float want[7] = {0, 0, 0, 0, 0.5f, 1, 4};
    float out[7];
    nn_act_forward(NN_ACT_RELU, out, act_in, 7);
    assert_tensor_near(out, want, 7, 0.0);
    assert_float_equal(nn_act_value(NN_ACT_RELU, -1e30f), 0.0f, 0.0f);
    assert_float_equal(nn_act_value(NN_ACT_RELU, 1e30f), 1e30f, 0.0f);
}

// sigmoid matches Python's 1 / (1 + exp(-x)).
static void test_sigmoid_values(void **state) {
    (void)state;
    float out[7];
    nn_act_forward(NN_ACT_SIGMOID, out, act_in, 7);
    assert_tensor_near(out, sigmoid_of, 7, 1e-6);
}

// sigmoid saturates to 0 and 1 for huge inputs without producing NaN.
static void test_sigmoid_saturates(void **state) {
    (void)state;
    const float lo = nn_act_value(NN_ACT_SIGMOID, -1000.0f);
    const float hi = nn_act_value(NN_ACT_SIGMOID, 1000.0f);
    assert_false(isnan(lo));
    assert_false(isnan(hi));
    assert_float_equal(lo, 0.0f, 1e-30f);
    assert_float_equal(hi, 1.0f, 0.0f);
}

// tanh matches Python's math.tanh (and saturates to -1 and 1).
static void test_tanh_values(void **state) {
    (void)state;
    float out[7];
    nn_act_forward(NN_ACT_TANH, out, act_in, 7);
    assert_tensor_near(out, tanh_of, 7, 1e-6);
    assert_float_equal(nn_act_value(NN_ACT_TANH, -1000.0f), -1.0f, 0.0f);
    assert_float_equal(nn_act_value(NN_ACT_TANH, 1000.0f), 1.0f, 0.0f);
}

// The forward pass may work in place (out == in).
static void test_activation_in_place(void **state) {
    (void)state;
    float buf[7];
    memcpy(buf, act_in, sizeof buf);
    nn_act_forward(NN_ACT_SIGMOID, buf, buf, 7);
    assert_tensor_near(buf, sigmoid_of, 7, 1e-6);
}

// ---- Softmax ---------------------------------------------------------------------------

// Slide 000's six scores; python: exp(x - max) / sum.
static const float softmax_slide_in[6] = {3.82f, 5.35f, 1.44f, -1.26f, 2.71f, 1.98f};
static const float softmax_slide[6] = {
    0.161151948f, 0.74422819f, 0.0149147058f,
    0.00100235045f, 0.0531090685f, 0.0255937376f,
};

static double row_sum(const float *x, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += x[i];
    return s;
}

// Slide 000's example: the six probabilities, summing to 1.
static void test_softmax_slide_example(void **state) {
    (void)state;
    float out[6];
    nn_softmax_forward(out, softmax_slide_in, 1, 6);
    assert_tensor_near(out, softmax_slide, 6, 1e-6);
    assert_float_equal((float)row_sum(out, 6), 1.0f, 1e-6f);
}

// Inputs near 1000 would overflow exp(); the stable softmax still gives
// softmax(0, 1, 2).
static void test_softmax_large_inputs_are_stable(void **state) {
    (void)state;
    static const float in[3] = {1000.0f, 1001.0f, 1002.0f};
    static const float want[3] = {0.0900305732f, 0.244728471f, 0.665240956f};
    float out[3];
    nn_softmax_forward(out, in, 1, 3);
    assert_tensor_near(out, want, 3, 1e-6);
    assert_float_equal((float)row_sum(out, 3), 1.0f, 1e-6f);
}

// Wildly different scores: the tiny ones underflow to 0, nothing becomes NaN.
static void test_softmax_mixed_extremes(void **state) {
    (void)state;
    static const float in[4] = {-1000.0f, 0.0f, 1000.0f, 999.0f};
    static const float want[4] = {0.0f, 0.0f, 0.731058579f, 0.268941421f};
    float out[4];
    nn_softmax_forward(out, in, 1, 4);
    assert_tensor_near(out, want, 4, 1e-6);
}

// Several rows are each normalised on their own, in place.
static void test_softmax_rows_each_sum_to_one(void **state) {
    (void)state;
    float buf[12];
    memcpy(buf, softmax_slide_in, sizeof softmax_slide_in);
    const float second[6] = {0, 0, 0, 0, 0, 0};  // uniform: 1/6 each
    memcpy(buf + 6, second, sizeof second);
    nn_softmax_forward(buf, buf, 2, 6);
    assert_tensor_near(buf, softmax_slide, 6, 1e-6);
    const float sixth[6] = {1 / 6.0f, 1 / 6.0f, 1 / 6.0f, 1 / 6.0f, 1 / 6.0f, 1 / 6.0f};
    assert_tensor_near(buf + 6, sixth, 6, 1e-7);
    assert_float_equal((float)row_sum(buf, 6), 1.0f, 1e-6f);
    assert_float_equal((float)row_sum(buf + 6, 6), 1.0f, 1e-6f);
}

// ---- Dense --------------------------------------------------------------------------------

// Output j's weights are (1,2,3) and (4,5,6), b = [0.5, -1]; python:
// x = (1, 0, -1)   -> (1 - 3 + 0.5, 4 - 6 - 1)   = (-1.5, -3)
// x = (0.5, -2, 4) -> (0.5 - 4 + 12 + 0.5, 2 - 10 + 24 - 1) = (9, 15)
// Stored input-major, [in][out]: row i holds input i's weight to each output.
static const float dense_w[6] = {1, 4, 2, 5, 3, 6};
static const float dense_b[2] = {0.5f, -1.0f};
static const float dense_x[6] = {1, 0, -1, 0.5f, -2, 4};

// A batch of two through a 3 -> 2 dense layer.
static void test_dense_forward_batch(void **state) {
    (void)state;
    static const float want[4] = {-1.5f, -3.0f, 9.0f, 15.0f};
    float out[4] = {NAN, NAN, NAN, NAN};
    nn_dense_forward(out, dense_x, dense_w, dense_b, 2, 3, 2);
    assert_tensor_near(out, want, 4, 0.0);
}

// Without a bias the outputs are the plain dot products.
static void test_dense_forward_no_bias(void **state) {
    (void)state;
    static const float want[2] = {-2.0f, -2.0f};
    float out[2] = {NAN, NAN};
    nn_dense_forward(out, dense_x, dense_w, NULL, 1, 3, 2);
    assert_tensor_near(out, want, 2, 0.0);
}

// One neuron on its own: bias + w . x, reading its column of the weights.
static void test_dense_single_neuron(void **state) {
    (void)state;
    assert_float_equal(nn_dense_neuron(dense_x + 3, dense_w + 1, 2, -1.0f, 3), 15.0f, 0.0f);
    assert_float_equal(nn_dense_neuron(dense_x + 3, dense_w, 2, 0.5f, 3), 9.0f, 0.0f);
}

// The batch pass (through nn_gemm) gives each neuron's bits exactly, for one
// sample and for many, on seeded random numbers.
static void test_dense_forward_equals_neurons_bit_for_bit(void **state) {
    (void)state;
    enum { IN = 37, OUT = 19, BATCH = 9 };
    static float x[BATCH * IN], w[IN * OUT], b[OUT], out[BATCH * OUT];
    test_rng rng = rng_seed(77u);
    rng_fill(&rng, x, BATCH * IN, -1.0f, 1.0f);
    rng_fill(&rng, w, IN * OUT, -1.0f, 1.0f);
    rng_fill(&rng, b, OUT, -1.0f, 1.0f);
    for (int batch = 1; batch <= BATCH; batch += BATCH - 1) {
        nn_dense_forward(out, x, w, b, batch, IN, OUT);
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < OUT; j++) {
                const float want = nn_dense_neuron(x + n * IN, w + j, OUT, b[j], IN);
                assert_memory_equal(&out[n * OUT + j], &want, sizeof want);
            }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relu_values),
        cmocka_unit_test(test_sigmoid_values),
        cmocka_unit_test(test_sigmoid_saturates),
        cmocka_unit_test(test_tanh_values),
        cmocka_unit_test(test_activation_in_place),
        cmocka_unit_test(test_softmax_slide_example),
        cmocka_unit_test(test_softmax_large_inputs_are_stable),
        cmocka_unit_test(test_softmax_mixed_extremes),
        cmocka_unit_test(test_softmax_rows_each_sum_to_one),
        cmocka_unit_test(test_dense_forward_batch),
        cmocka_unit_test(test_dense_forward_no_bias),
        cmocka_unit_test(test_dense_single_neuron),
        cmocka_unit_test(test_dense_forward_equals_neurons_bit_for_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
