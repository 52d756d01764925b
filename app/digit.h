// digit.h - turning a picture of one handwritten digit (any size, dark ink on
// light paper or light on dark) into a 28x28 input prepared the way MNIST's
// digits were: cropped to the ink, scaled into a 20x20 box keeping the aspect
// ratio, then placed so that its centre of mass is the centre of 28x28.
#ifndef APP_DIGIT_H
#define APP_DIGIT_H

#include <stdbool.h>
#include <stddef.h>

#define DIGIT_SIDE 28
#define DIGIT_BOX 20

// A grey image: values from 0 (black) to 1 (white), row-major.
typedef struct app_gray_image {
    int w, h;
    float *v;  // [h][w]
} app_gray_image;

// What the preparation found, for messages and the front-end.
typedef struct app_digit_info {
    bool inverted;              // the picture had dark ink on light paper
    int ink_x, ink_y, ink_w, ink_h;  // the ink's bounding box in the picture
    int box_w, box_h;           // its size once scaled into 20x20
    float com_x, com_y;         // centre of mass in the 28x28 result
} app_digit_info;

// Prepares `img` into out[28 * 28] (0 = background, 1 = ink, as MNIST).
// False with a message if the picture holds no ink or is empty.
bool app_digit_prepare(const app_gray_image *img, float *out, app_digit_info *info, char *err,
                       size_t errsize);

void app_gray_image_free(app_gray_image *img);

#endif
