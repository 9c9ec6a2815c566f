// Debian installs the serial HDF5 library under hdf5/serial.
#include <hdf5/serial/hdf5.h>

// HDF5's type and property constants are macros over global ids that Swift cannot import;
// these wrappers give them names.
static inline hid_t adv_h5t_native_uchar(void) { return H5T_NATIVE_UCHAR; }
static inline hid_t adv_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t adv_h5s_all(void) { return H5S_ALL; }
static inline unsigned adv_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned adv_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline herr_t adv_h5_quiet(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
