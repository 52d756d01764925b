// profile.h - where the time of a forward and backward pass goes, per layer and
// per kind of work (GEMM, im2col, col2im), for the bench to print. A net fills
// an nn_profile only when given one (net->profile); without one the cost is a
// test of a NULL pointer per layer and per GEMM call. Nothing here prints.
#ifndef NN_PROFILE_H
#define NN_PROFILE_H

// The most layers a profile has room for (deeper layers go uncounted).
#define NN_PROFILE_MAX_LAYERS 64

// Kinds of work inside the layers, timed wherever they run.
typedef enum nn_profile_part {
    NN_PART_GEMM,    // every nn_gemm, nn_gemm_rows(_pair) and nn_gemm_nt call, the
                     // direct input gradient of stride 1 (conv2d_dinput.c) and
                     // training's forward read in place (nn_conv2d_forward_batch)
    NN_PART_IM2COL,  // laying out convolution windows as columns
    NN_PART_COL2IM,  // adding column gradients back onto the input
    NN_PART_COUNT,
} nn_profile_part;

// Seconds summed over every pass since the last nn_profile_clear.
typedef struct nn_profile {
    double forward[NN_PROFILE_MAX_LAYERS];   // layer i's forward
    double backward[NN_PROFILE_MAX_LAYERS];  // layer i's backward
    double loss;                             // the loss and its gradient at the output
    double part[NN_PART_COUNT];              // inside the layers, by kind of work
    long long forwards, backwards;           // passes counted
} nn_profile;

void nn_profile_clear(nn_profile *p);

// For the engine's files: the profile the running pass fills on this thread
// (NULL when none), and a monotonic clock in seconds.
extern _Thread_local nn_profile *nn_profile_active_;
double nn_profile_now_(void);

// Times a block of work as part `which` when a profile is active (one pair
// per block: BEGIN declares the start time).
#define NN_PROFILE_BEGIN_() const double nn_prof_t0_ = nn_profile_active_ ? nn_profile_now_() : 0.0
#define NN_PROFILE_END_(which) \
    do { \
        if (nn_profile_active_) \
            nn_profile_active_->part[which] += nn_profile_now_() - nn_prof_t0_; \
    } while (0)

#endif
