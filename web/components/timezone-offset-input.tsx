"use client";

import { useEffect, useState } from "react";

/** Sends the browser's UTC offset with a datetime-local input, so the server reads the time the person meant. */
export function TimezoneOffsetInput({ name }: { name: string }) {
  const [offset, setOffset] = useState("0");
  useEffect(() => setOffset(String(new Date().getTimezoneOffset())), []);
  return <input type="hidden" name={`${name}Offset`} value={offset} />;
}
