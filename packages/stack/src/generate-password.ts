import { randomInt } from "node:crypto";

// No 0/O, 1/l/I: the password is read off a terminal and typed into a login form.
const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A random password of `length` characters (about 5.8 bits each) that is easy to copy by hand. */
export function generatePassword(length = 20): string {
  let password = "";
  for (let i = 0; i < length; i++) password += alphabet[randomInt(alphabet.length)];
  return password;
}
