/** Mini-program targets: the date wheels (the H5 build adds a typed field, see BirthdayField.h5.tsx). */
export { default } from './BirthdayPicker';
