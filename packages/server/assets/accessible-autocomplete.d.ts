/** The part of GOV.UK's accessible-autocomplete (npm `accessible-autocomplete`) that Rollcall uses. */
declare module 'accessible-autocomplete' {
  interface EnhanceOptions {
    selectElement: HTMLSelectElement;
    defaultValue?: string;
    showAllValues?: boolean;
    minLength?: number;
    dropdownArrow?: () => string;
    source?: (query: string, populate: (results: string[]) => void) => void;
    tNoResults?: () => string;
    tStatusQueryTooShort?: (minQueryLength: number) => string;
    tStatusNoResults?: () => string;
    tStatusSelectedOption?: (selectedOption: string, length: number, index: number) => string;
    tStatusResults?: (length: number, contentSelectedOption: string) => string;
    tAssistiveHint?: () => string;
  }
  const accessibleAutocomplete: {
    enhanceSelectElement(options: EnhanceOptions): void;
  };
  export default accessibleAutocomplete;
}
